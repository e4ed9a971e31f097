"""The files compose.yml hands to its services, checked by the services' own tools where Debian has them:
promtool (Prometheus), amtool (Alertmanager), caddy (validated, then run for real on loopback in front
of stand-in upstreams). Loki and Promtail have no package here: their files are checked for what the
rest of the stack relies on (ports, labels, schema)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.stack_tools import COMPOSE_DIR, ROOT, binary, free_port, mounts, rendered, run

PROMETHEUS = COMPOSE_DIR / "prometheus" / "prometheus.yml"
ALERTMANAGER = COMPOSE_DIR / "alertmanager" / "alertmanager.yml"
CADDYFILE = COMPOSE_DIR / "caddy" / "Caddyfile"
GRAFANA = COMPOSE_DIR / "grafana"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    found: dict[str, Any] = rendered(tmp_path_factory.mktemp("compose"))["services"]
    return found


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


# --- Prometheus --------------------------------------------------------------------------------------

def test_promtool_accepts_the_prometheus_config_with_the_files_compose_mounts(
        tmp_path: Path, services: dict[str, Any]) -> None:
    """Rule files are resolved through compose.yml's bind mounts, so a rule file that is not mounted
    (or mounted elsewhere) fails here as it would in the container."""
    mounted = mounts(services["prometheus"])
    assert mounted["/etc/prometheus/prometheus.yml"] == PROMETHEUS
    config = load(PROMETHEUS)
    config["rule_files"] = [str(mounted[path]) for path in config["rule_files"]]
    copy = tmp_path / "prometheus.yml"
    copy.write_text(yaml.safe_dump(config, sort_keys=False))
    output = run(binary("promtool"), "check", "config", str(copy)).stdout
    assert "SUCCESS" in output and "rules found" in output, output


def test_prometheus_scrapes_the_api_and_every_worker_on_their_ports(services: dict[str, Any]) -> None:
    jobs = {job["job_name"]: job for job in load(PROMETHEUS)["scrape_configs"]}
    api = jobs["seiko-api"]["dns_sd_configs"][0]
    metrics_port = int(services["api"]["environment"]["SEIKO_METRICS_PORT"])
    assert metrics_port != 8000, "metrics never on the store's port"
    assert (api["names"], api["port"]) == (["api"], metrics_port)
    assert str(metrics_port) in [str(p) for p in services["api"]["expose"]]
    worker = jobs["seiko-worker"]["dns_sd_configs"][0]
    assert (worker["names"], worker["port"]) == (["worker"], int(services["worker"]["environment"]
                                                                   ["SEIKO_WORKER_METRICS_PORT"]))
    # The job the alerting rules select on.
    rules = (ROOT / "alerts" / "rules.yml").read_text() + (ROOT / "alerts" / "slo_rules.yml").read_text()
    assert 'job="seiko-api"' in rules
    targets = load(PROMETHEUS)["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert targets == ["alertmanager:9093"]


# --- Alertmanager ------------------------------------------------------------------------------------

def test_amtool_accepts_the_stack_alertmanager_config() -> None:
    assert "SUCCESS" in run(binary("amtool"), "check-config", str(ALERTMANAGER)).stdout


def test_stack_routing_is_the_projects_routing_pointed_at_the_api_service() -> None:
    stack, project = load(ALERTMANAGER), load(ROOT / "alerts" / "alertmanager.yml")
    assert stack["route"] == project["route"]
    assert stack.get("inhibit_rules") == project.get("inhibit_rules")
    hooks = {r["name"]: r.get("webhook_configs", []) for r in stack["receivers"]}
    assert set(hooks) == {r["name"] for r in project["receivers"]}
    (hook,) = hooks["seiko-stock-agent"]
    assert hook["url"] == "http://api:8000/api/v1/alerts/alertmanager"
    assert hook["http_config"]["authorization"] == {"type": "Bearer",
                                                    "credentials_file": "/run/alertmanager/webhook-token"}
    amtool, flag = binary("amtool"), f"--config.file={ALERTMANAGER}"
    assert run(amtool, "config", "routes", "test", flag, "alertname=WatchesLowStock",
               "alert_type=stock").stdout.split()[0] == "seiko-stock-agent"
    for slo_alert in ("ApiAvailabilityFastBurn", "ApiLatencySlowBurn"):
        assert run(amtool, "config", "routes", "test", flag, f"alertname={slo_alert}", "alert_type=slo",
                   "severity=critical").stdout.split()[0] == "default"


def test_alertmanager_gets_the_token_file_the_config_names(services: dict[str, Any]) -> None:
    service = services["alertmanager"]
    command = " ".join(service["command"])
    assert "> /run/alertmanager/webhook-token" in command and "umask 077" in command
    assert "$$ALERTMANAGER_WEBHOOK_TOKEN" in command, "escaped so that the container's shell expands it"
    assert "/run/alertmanager" in service["tmpfs"], "the token lives in memory only"
    assert mounts(service)["/etc/alertmanager/alertmanager.yml"] == ALERTMANAGER


# --- Caddy -------------------------------------------------------------------------------------------

def caddy_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "caddy-home"
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home), "XDG_CONFIG_HOME": str(home), **extra}


def test_caddy_validates_the_caddyfile(tmp_path: Path) -> None:
    for domain in ("localhost", "shop.example.com"):
        output = run(binary("caddy"), "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile",
                     env=caddy_env(tmp_path, SEIKO_DOMAIN=domain))
        assert "Valid configuration" in output.stdout + output.stderr
    formatted = run(binary("caddy"), "fmt", str(CADDYFILE), env=caddy_env(tmp_path)).stdout
    assert formatted == CADDYFILE.read_text(), "run `caddy fmt --overwrite` on the Caddyfile"


@contextmanager
def upstream(name: str) -> Iterator[int]:
    """A stand-in for the api or grafana service: answers every request with what it received."""

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"upstream": name, "path": self.path,
                               "x_forwarded_for": self.headers.get("X-Forwarded-For")}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_caddy_routes_the_store_and_grafana_and_hides_metrics(tmp_path: Path) -> None:
    """The shipped Caddyfile, run by Caddy on a loopback port over plain HTTP, with the upstream names
    (api:8000, grafana:3000) swapped for local stand-ins. Nothing else changes."""
    port = free_port()
    with upstream("api") as api_port, upstream("grafana") as grafana_port:
        text = CADDYFILE.read_text()
        assert text.count("api:8000") == 1 and text.count("grafana:3000") == 1
        text = text.replace("api:8000", f"127.0.0.1:{api_port}").replace("grafana:3000", f"127.0.0.1:{grafana_port}")
        config = tmp_path / "Caddyfile"
        # No admin endpoint: it would bind a fixed port that other runs may hold.
        config.write_text("{\n\tadmin off\n}\n\n" + text)
        log = (tmp_path / "caddy.log").open("w")
        proc = subprocess.Popen([binary("caddy"), "run", "--config", str(config), "--adapter", "caddyfile"],
                                env=caddy_env(tmp_path, SEIKO_DOMAIN=f"http://127.0.0.1:{port}"),
                                stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                assert proc.poll() is None, (tmp_path / "caddy.log").read_text()
                try:
                    status, body = get(f"{base}/api/v1/watches?limit=1", {"X-Forwarded-For": "198.51.100.9"})
                    break
                except OSError:
                    assert time.monotonic() < deadline, (tmp_path / "caddy.log").read_text()
                    time.sleep(0.2)
            assert status == 200 and body["upstream"] == "api" and body["path"] == "/api/v1/watches?limit=1"
            # Caddy replaces what an untrusted client claims with the address it really came from.
            assert body["x_forwarded_for"] == "127.0.0.1", body
            status, body = get(f"{base}/grafana/d/seiko-slo")
            assert (status, body["upstream"], body["path"]) == (200, "grafana", "/grafana/d/seiko-slo")
            status, _ = get(f"{base}/metrics")
            assert status == 404, "the API's metrics must not be public"
            status, body = get(f"{base}/health")
            assert (status, body["upstream"]) == (200, "api")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


# --- Grafana, Loki, Promtail ---------------------------------------------------------------------------

def test_grafana_provisions_the_datasources_and_the_dashboard_folder(services: dict[str, Any]) -> None:
    sources = {d["uid"]: d for d in load(GRAFANA / "provisioning" / "datasources" / "datasources.yml")["datasources"]}
    assert sources["prometheus"]["url"] == "http://prometheus:9090" and sources["prometheus"]["isDefault"]
    assert sources["loki"]["url"] == "http://loki:3100"
    assert sources["alertmanager"]["url"] == "http://alertmanager:9093"
    assert (sources["jaeger"]["type"], sources["jaeger"]["url"]) == ("jaeger", "http://jaeger:16686")
    assert any("16686" in str(port) for port in services["jaeger"]["ports"]), "Grafana and the console reach the UI"
    (provider,) = load(GRAFANA / "provisioning" / "dashboards" / "dashboards.yml")["providers"]
    mounted = mounts(services["grafana"])
    assert mounted[provider["options"]["path"]] == GRAFANA / "dashboards"
    assert mounted["/etc/grafana/provisioning"] == GRAFANA / "provisioning"
    assert services["grafana"]["environment"]["GF_SERVER_SERVE_FROM_SUB_PATH"] == "true"


def test_loki_and_promtail_agree_with_the_stack(services: dict[str, Any]) -> None:
    loki = load(COMPOSE_DIR / "loki" / "loki.yml")
    assert loki["server"]["http_listen_port"] == 3100
    assert loki["auth_enabled"] is False
    (schema,) = loki["schema_config"]["configs"]
    assert (schema["store"], schema["schema"]) == ("tsdb", "v13")
    assert loki["common"]["path_prefix"] == "/loki" and "/loki" in [
        v.split(":")[1] for v in services["loki"]["volumes"] if isinstance(v, str)] + [
        v["target"] for v in services["loki"]["volumes"] if isinstance(v, dict)]
    promtail = load(COMPOSE_DIR / "promtail" / "promtail.yml")
    assert promtail["clients"] == [{"url": "http://loki:3100/loki/api/v1/push"}]
    (job,) = promtail["scrape_configs"]
    labels = {r.get("target_label") for r in job["relabel_configs"]}
    assert {"service", "container"} <= labels, "the dashboards' LogQL selects on `service`"
    assert mounts(services["promtail"])["/var/run/docker.sock"] == Path("/var/run/docker.sock")
    assert any(str(v).endswith("/var/run/docker.sock:ro") or (isinstance(v, dict) and v.get("read_only"))
               for v in services["promtail"]["volumes"]), "the Docker socket is mounted read-only"


def test_langfuse_database_script_is_valid_shell() -> None:
    script = COMPOSE_DIR / "postgres" / "langfuse-db.sh"
    run("sh", "-n", str(script))
    text = script.read_text()
    assert ":'LANGFUSE_PW'" in text and "$LANGFUSE_DB_PASSWORD" not in text.split("<<'SQL'", 1)[1], \
        "the password must reach SQL only as a psql variable"
