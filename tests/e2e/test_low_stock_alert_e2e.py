"""Low stock, end to end, with the real tools and the project's own alerting files.

A real `seiko serve` (embedded PostgreSQL), Prometheus scraping its /metrics with alerts/rules.yml and
Alertmanager routing with alerts/alertmanager.yml, all on free loopback ports. One watch drops below
its reorder point; WatchesLowStock fires; Alertmanager posts to the store's webhook with the bearer
token from a credentials file; the stock agent (offline policy: no API keys here) proposes exactly
one reorder, and no more while the alert keeps firing.

The only changes to the shipped files are the test's: ports, the credentials file, short Alertmanager
timers and WatchesLowStock's `for` shortened to 0s."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "alerts"
WEBHOOK_PATH = "/api/v1/alerts/alertmanager"
ADMIN_EMAIL = "e2e-admin@example.com"
ADMIN_PASSWORD = "e2e-admin-password-1234"
RESTOCK_MARGIN = 5
# Environment that would take the agent off the offline policy or the server off its own database.
_DROPPED_ENV = ("DATABASE_URL", "TEST_DATABASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST",
                "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGFUSE_HOST", "STRIPE_SECRET_KEY",
                "STRIPE_WEBHOOK_SECRET", "SEIKO_PRICING_FILE")

T = TypeVar("T")


def binary(name: str) -> str:
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:
        pytest.fail(f"`{name}` not found: install the Debian packages with "
                    "`apt-get install -y prometheus prometheus-alertmanager` (`make test` does this as root)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            raw = r.read()
            status = r.status
            ctype = r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        raw, status, ctype = e.read(), e.code, e.headers.get("Content-Type", "")
    if "json" in ctype:
        return status, json.loads(raw or b"null")
    return status, raw.decode(errors="replace")


def wait_for(what: str, check: Callable[[], T | None], *, timeout: float, every: float = 0.5,
             alive: Callable[[], None] = lambda: None) -> T:
    deadline = time.monotonic() + timeout
    while True:
        alive()
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


class Proc:
    """A child process logging to a file (a pipe left unread would block a chatty server)."""

    def __init__(self, name: str, args: list[str], log: Path, *, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.name, self.log = name, log
        self._out = log.open("w")
        self.popen = subprocess.Popen(args, env=env, cwd=cwd, stdout=self._out, stderr=subprocess.STDOUT, text=True)

    def text(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")

    def assert_alive(self) -> None:
        if self.popen.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.popen.returncode}:\n{self.text()[-5000:]}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._out.close()


@contextmanager
def processes() -> Iterator[list[Proc]]:
    """Every process started inside is stopped on the way out; their logs are printed on failure."""
    started: list[Proc] = []
    try:
        yield started
    except BaseException:
        for proc in started:
            print(f"\n===== {proc.name} log ({proc.log}) =====\n{proc.text()[-20000:]}")
        raise
    finally:
        for proc in reversed(started):
            # SIGINT lets `seiko serve` stop its embedded PostgreSQL; the others take SIGTERM.
            proc.stop(signal.SIGINT if proc.name == "seiko serve" else signal.SIGTERM)


def request_logs(server: Proc, path: str) -> list[dict[str, Any]]:
    lines = []
    for line in server.text().splitlines():
        if path not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("path") == path and "status" in record:
            lines.append(record)
    return lines


def alertmanager_config(tmp_path: Path, server_port: int, token: str) -> Path:
    """alerts/alertmanager.yml with the webhook pointed at the test server, the token in a temp
    credentials file and timers short enough for a test."""
    config = yaml.safe_load((ALERTS / "alertmanager.yml").read_text())
    credentials = tmp_path / "webhook-token"
    credentials.write_text(token)
    credentials.chmod(0o600)
    hooks = 0
    for receiver in config["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            url = urlsplit(hook["url"])
            assert url.path == WEBHOOK_PATH, hook["url"]
            hook["url"] = urlunsplit((url.scheme, f"127.0.0.1:{server_port}", url.path, url.query, ""))
            hook["http_config"]["authorization"]["credentials_file"] = str(credentials)
            hooks += 1
    assert hooks == 1, "expected one webhook receiver (seiko-stock-agent)"

    def shorten(route: dict[str, Any]) -> None:
        for key, value in (("group_wait", "1s"), ("group_interval", "2s"), ("repeat_interval", "1h")):
            if key in route or route is config["route"]:
                route[key] = value
        for child in route.get("routes", []):
            shorten(child)

    shorten(config["route"])
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def prometheus_config(tmp_path: Path, metrics_port: int, am_port: int, metrics_token: str) -> Path:
    """prometheus.yml scraping the test server, with alerts/rules.yml where WatchesLowStock's `for`
    is 0s, alerting to the test Alertmanager."""
    rules = yaml.safe_load((ALERTS / "rules.yml").read_text())
    low = [r for g in rules["groups"] for r in g["rules"] if r.get("alert") == "WatchesLowStock"]
    assert len(low) == 1, "alerts/rules.yml must define WatchesLowStock once"
    low[0]["for"] = "0s"
    rules_path = tmp_path / "rules.yml"
    rules_path.write_text(yaml.safe_dump(rules, sort_keys=False))
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules_path)],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]},
        # The store's metrics port, with its bearer token, as deploy/compose/prometheus/prometheus.yml does.
        "scrape_configs": [{"job_name": "seiko-api", "metrics_path": "/metrics",
                            "authorization": {"credentials": metrics_token},
                            "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]}],
    }
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def alert_runs(decisions: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in decisions["items"] if str(d["trigger"]).startswith("alert:") and d["agent"] == "stock"]


def low_stock_gauge(metrics: str, token: str) -> float | None:
    status, text = http("GET", f"{metrics}/metrics", token=token)
    assert status == 200, text
    match = re.search(r"^watches_low_stock_total\s+(\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def test_low_stock_alert_reaches_the_stock_agent_once(tmp_path: Path) -> None:
    prometheus_bin, alertmanager_bin = binary("prometheus"), binary("prometheus-alertmanager")
    port, am_port, prom_port, metrics_port = free_port(), free_port(), free_port(), free_port()
    base, metrics = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}"
    token, metrics_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)

    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(SEIKO_DATA_DIR=str(tmp_path / "data"), SEIKO_ENV="development", SEIKO_LOG_JSON="true",
               SEIKO_INDEX_ON_START="false", ALERTMANAGER_WEBHOOK_TOKEN=token, SEIKO_METRICS_PORT=str(metrics_port),
               SEIKO_METRICS_TOKEN=metrics_token, SEIKO_METRICS_REFRESH_SECONDS="0.5",
               SEIKO_BOOTSTRAP_ADMIN_EMAIL=ADMIN_EMAIL, SEIKO_BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD)
    # Run outside the checkout, so a developer's .env cannot switch a provider on, with the
    # checkout first on the path (an editable install only maps the packages it saw when installed).
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    run_dir = tmp_path / "run"
    run_dir.mkdir()

    with processes() as started:
        t0 = time.monotonic()
        server = Proc("seiko serve", [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1",
                                      "--port", str(port)], tmp_path / "server.log", env=env, cwd=run_dir)
        started.append(server)
        wait_for("seiko serve /ready", lambda: http("GET", f"{base}/ready")[0] == 200, timeout=180,
                 alive=server.assert_alive)
        print(f"server ready in {time.monotonic() - t0:.1f}s")

        status, body = http("POST", f"{base}/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert status == 200, body
        admin = body["access_token"]

        # a. Restock every watch at or below its reorder point; the gauge reads 0.
        reorder_points: dict[str, int] = {}
        available: dict[str, int] = {}
        for _ in range(3):
            status, dash = http("GET", f"{base}/api/v1/admin/dashboard", token=admin)
            assert status == 200, dash
            if not dash["low_stock"]:
                break
            for w in dash["low_stock"]:
                delta = w["reorder_point"] - w["available"] + RESTOCK_MARGIN
                status, moved = http("POST", f"{base}/api/v1/admin/inventory/{w['reference']}/adjustments",
                                     {"delta": delta, "reason": "e2e restock"}, token=admin)
                assert status == 201, moved
                reorder_points[w["reference"]] = w["reorder_point"]
                available[w["reference"]] = moved["stock_available"]
        assert dash["low_stock_count"] == 0 and not dash["low_stock"], dash
        # The gauge is refreshed on a schedule (every 0.5 s here), not per scrape.
        wait_for("watches_low_stock_total to read 0 after the restock",
                 lambda: low_stock_gauge(metrics, metrics_token) == 0, timeout=30, alive=server.assert_alive)

        # b. Alertmanager with the project's routing.
        am_config = alertmanager_config(tmp_path, port, token)
        alertmanager = Proc("alertmanager", [
            alertmanager_bin, f"--config.file={am_config}", f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address=", "--log.level=debug",
        ], tmp_path / "alertmanager.log", cwd=tmp_path)
        started.append(alertmanager)
        wait_for("Alertmanager /-/ready", lambda: http("GET", f"http://127.0.0.1:{am_port}/-/ready")[0] == 200,
                 timeout=30, alive=alertmanager.assert_alive)

        # c. Prometheus with the project's rules, scraping the server every second.
        prom_config = prometheus_config(tmp_path, metrics_port, am_port, metrics_token)
        prometheus = Proc("prometheus", [
            prometheus_bin, f"--config.file={prom_config}", f"--storage.tsdb.path={tmp_path / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ], tmp_path / "prometheus.log", cwd=tmp_path)
        started.append(prometheus)
        prom = f"http://127.0.0.1:{prom_port}"
        wait_for("Prometheus /-/ready", lambda: http("GET", f"{prom}/-/ready")[0] == 200, timeout=30,
                 alive=prometheus.assert_alive)

        def scraped_up() -> bool:
            status, body = http("GET", f"{prom}/api/v1/query?query=up%7Bjob%3D%22seiko-api%22%7D")
            results = body["data"]["result"] if status == 200 else []
            return bool(results) and results[0]["value"][1] == "1"

        wait_for("Prometheus to scrape the server", scraped_up, timeout=30, alive=prometheus.assert_alive)
        _, alerts = http("GET", f"{prom}/api/v1/alerts")
        assert not [a for a in alerts["data"]["alerts"] if a["labels"]["alertname"] == "WatchesLowStock"], alerts

        # d. One watch drops below its reorder point.
        if reorder_points:
            reference = max(reorder_points, key=lambda r: reorder_points[r])
            target = max(reorder_points[reference] - 1, 0)
            current = available[reference]
        else:  # nothing was low at start: any watch at 0 is at or below its reorder point
            status, page = http("GET", f"{base}/api/v1/watches?limit=100")
            assert status == 200, page
            watch = next(w for w in page["items"] if w["stock_available"] > 0)
            reference, target, current = watch["reference"], 0, watch["stock_available"]
        status, moved = http("POST", f"{base}/api/v1/admin/inventory/{reference}/adjustments",
                             {"delta": target - current, "reason": "e2e sale"}, token=admin)
        assert status == 201, moved
        assert moved["stock_available"] == target
        dropped_at = time.monotonic()
        wait_for("watches_low_stock_total to read 1", lambda: low_stock_gauge(metrics, metrics_token) == 1,
                 timeout=30, alive=server.assert_alive)

        def firing() -> bool:
            _, body = http("GET", f"{prom}/api/v1/alerts")
            return any(a["labels"]["alertname"] == "WatchesLowStock" and a["state"] == "firing"
                       for a in body["data"]["alerts"])

        wait_for("WatchesLowStock to fire in Prometheus", firing, timeout=30, alive=prometheus.assert_alive)

        # Alertmanager posts to the webhook, and the server accepts it.
        posts = wait_for(f"Alertmanager to POST {WEBHOOK_PATH}", lambda: request_logs(server, WEBHOOK_PATH),
                         timeout=30, alive=alertmanager.assert_alive)
        print(f"webhook called {time.monotonic() - dropped_at:.1f}s after the drop: {posts[0]}")
        assert posts[0]["method"] == "POST"
        assert posts[0]["status"] == 202, f"the webhook answered {posts[0]['status']}, not 202"

        # e. The stock agent proposes exactly one reorder for that watch.
        def pending() -> list[dict[str, Any]]:
            status, body = http("GET", f"{base}/api/v1/ops/reorders?status=pending", token=admin)
            assert status == 200, body
            return [p for p in body["items"] if p["reference"] == reference]

        proposals = wait_for(f"a pending reorder proposal for {reference}", pending, timeout=60, every=1,
                             alive=server.assert_alive)
        print(f"proposal {time.monotonic() - dropped_at:.1f}s after the drop: {proposals}")
        assert len(proposals) == 1, proposals
        proposal = proposals[0]
        assert proposal["status"] == "pending"
        assert proposal["quantity"] > 0
        assert proposal["rationale"]

        status, body = http("GET", f"{base}/api/v1/ops/decisions", token=admin)
        assert status == 200, body
        runs = alert_runs(body)
        assert runs, body["items"]
        assert all(d["provider"] == "offline" for d in runs), runs
        assert proposal["decision_id"] in {d["id"] for d in runs}, (proposal, runs)

        # No duplicate runs while the alert stays firing (Prometheus resends, Alertmanager repeats).
        time.sleep(8)
        assert firing(), "WatchesLowStock should still be firing"
        assert len(pending()) == 1, pending()
        _, after = http("GET", f"{base}/api/v1/ops/decisions", token=admin)
        assert {d["id"] for d in alert_runs(after)} == {d["id"] for d in runs}, "the stock agent ran again"
        status, body = http("GET", f"{base}/api/v1/ops/reorders?status=pending", token=admin)
        assert [p["reference"] for p in body["items"]] == [reference], body
