"""compose.yml as Debian's docker-compose reads it (no engine runs here, so `config` is as far as it
goes): valid, healthy ordering, workers that scale, secrets only from the env file, one public door."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.stack_tools import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    ROOT,
    binary,
    compose,
    compose_env,
    mounts,
    rendered,
    run,
)

STORE = ("migrate", "api", "worker", "event-consumers")
# Services that run once and exit; everything else runs until stopped.
ONE_SHOT = {"migrate", "ollama-pull", "langfuse-db"}
# A log shipper nothing depends on, whose image has no HTTP client to probe itself with.
NO_HEALTHCHECK = {"promtail"}
SECRET_KEY = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|ENCRYPTION_KEY|SALT|_AUTH$|CREDENTIAL", re.IGNORECASE)
LANGFUSE = {"langfuse-web", "langfuse-worker", "langfuse-db", "clickhouse", "redis", "minio"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return rendered(tmp_path_factory.mktemp("compose"))


@pytest.fixture(scope="module")
def services(stack: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = stack["services"]
    return found


def raw() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {k.strip(): v.strip() for k, v in pairs}


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    compose(tmp_path, "config", "-q")
    compose(tmp_path, "config", "-q", profiles=("langfuse",))
    listed = set(compose(tmp_path, "config", "--services").stdout.split())
    assert {"postgres", "migrate", "api", "worker", "ollama", "prometheus", "alertmanager", "grafana", "loki",
            "promtail", "caddy", "jaeger"} | LANGFUSE <= listed


def test_langfuse_stays_behind_its_profile(services: dict[str, Any]) -> None:
    for name, service in services.items():
        assert service.get("profiles", []) == (["langfuse"] if name in LANGFUSE else []), name


def test_the_env_file_is_required(tmp_path: Path) -> None:
    empty = tmp_path / "missing.env"
    done = run(binary("docker-compose"), "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE), "config", "-q",
               env=compose_env(empty), ok=False)
    assert done.returncode != 0
    assert "missing.env" in done.stderr or "POSTGRES_PASSWORD" in done.stderr, done.stderr


def test_the_store_runs_as_api_worker_and_a_one_shot_migration(services: dict[str, Any]) -> None:
    assert services["migrate"]["command"] == ["migrate"]
    assert services["api"]["command"][0] == "api"
    assert services["worker"]["command"] == ["worker"]
    for name in STORE:
        service = services[name]
        assert service["build"]["dockerfile"] == "Containerfile"
        assert service["environment"]["SEIKO_ENV"] == "production"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://seiko@postgres:5432/"), \
            "no password in the URL; libpq reads PGPASSWORD"
        assert raw()["services"][name]["env_file"] == ["${SEIKO_ENV_FILE:-deploy/.env}"], name
    assert services["migrate"]["restart"] == "no"


def test_long_running_services_have_healthchecks(services: dict[str, Any]) -> None:
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", f"{name} runs once"
            continue
        if name in NO_HEALTHCHECK:
            continue
        check = service.get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), f"{name} has no healthcheck"
        assert service.get("restart") == "unless-stopped", name
    assert "/ready" in " ".join(services["api"]["healthcheck"]["test"])


def test_dependencies_wait_for_health_or_completion(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            condition = spec["condition"]
            assert condition in ("service_healthy", "service_completed_successfully", "service_started"), name
            if condition == "service_healthy":
                assert services[dependency].get("healthcheck"), f"{name} waits for {dependency}'s healthcheck"
            if condition == "service_completed_successfully":
                assert dependency in ONE_SHOT, f"{name} waits for {dependency} to exit"
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["caddy"]["depends_on"]["api"]["condition"] == "service_healthy"


def test_the_store_sends_traces_to_jaeger(services: dict[str, Any]) -> None:
    jaeger = services["jaeger"]
    assert jaeger["image"].startswith("jaegertracing/all-in-one:")
    assert jaeger["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    assert "4318" in jaeger["expose"]
    for name in ("api", "worker"):
        environment = services[name]["environment"]
        assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318", name
        assert environment["OTEL_SERVICE_NAME"] == f"seiko-{name}"
        assert environment["SEIKO_JAEGER_URL"].endswith(":16686")
        assert "jaeger" not in services[name].get("depends_on", {}), "tracing never holds the store back"


def test_workers_can_scale(services: dict[str, Any]) -> None:
    worker = services["worker"]
    assert "container_name" not in worker, "a fixed name allows one replica only"
    assert not worker.get("ports"), "published ports collide between replicas"
    assert worker["environment"]["SEIKO_WORKER_METRICS_PORT"] == "9100"
    assert worker["environment"]["SEIKO_WORKER_METRICS_HOST"] == "0.0.0.0"
    assert raw()["services"]["worker"]["deploy"]["replicas"] >= 2
    for name, service in services.items():
        assert "container_name" not in service, name


def published(port: str | dict[str, Any]) -> tuple[str | None, int, int]:
    """(host address or None for all, host port, container port) of a rendered `ports` entry."""
    if isinstance(port, dict):
        return port.get("host_ip"), int(port["published"]), int(port["target"])
    parts = port.split("/")[0].split(":")
    host_ip = parts[0] if len(parts) == 3 else None
    return host_ip, int(parts[-2]), int(parts[-1])


def test_only_the_proxy_listens_publicly(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            host_ip, host_port, target = published(port)
            if name == "caddy":
                assert host_port == target and target in (80, 443), port
            else:
                assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond the host's loopback"


def test_the_api_trusts_exactly_the_proxy(services: dict[str, Any], stack: dict[str, Any]) -> None:
    proxy = services["caddy"]["networks"]["seiko"]["ipv4_address"]
    assert services["api"]["environment"]["SEIKO_FORWARDED_ALLOW_IPS"] == proxy
    subnet = ipaddress.ip_network(stack["networks"]["seiko"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy) in subnet


def test_bind_mounts_exist_in_the_repository(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for target, source in mounts(service).items():
            if source.is_relative_to(ROOT):
                assert source.exists(), f"{name} mounts {source} at {target}, which does not exist"
    prometheus = mounts(services["prometheus"])
    assert prometheus["/etc/prometheus/rules/rules.yml"] == ROOT / "alerts" / "rules.yml"
    assert prometheus["/etc/prometheus/rules/slo_rules.yml"] == ROOT / "alerts" / "slo_rules.yml"


def test_third_party_images_are_pinned(services: dict[str, Any]) -> None:
    for name, service in services.items():
        image = service["image"]
        if name in STORE:
            continue
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin {image}"


def test_secrets_only_come_from_the_env_file() -> None:
    env = env_example()
    for name, service in raw()["services"].items():
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for key, value in environment.items():
            if SECRET_KEY.search(key):
                assert re.fullmatch(r"\$\{[A-Z_]+(:?[-?][^}]*)?\}", str(value)), f"{name}.{key} is inline: {value}"
        assert "secrets" not in service or all(isinstance(s, str) for s in service["secrets"])
    referenced = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE_FILE.read_text()))
    # Defaults the file carries itself; everything else the env file must define (or leave commented).
    optional = {"SEIKO_IMAGE", "SEIKO_ENV_FILE", "SEIKO_DOMAIN", "SEIKO_OLLAMA_MODEL"}
    commented = set(re.findall(r"^#\s*([A-Z_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    assert referenced - optional <= set(env) | commented, (referenced - optional) - set(env) - commented
    required = set(re.findall(r"\$\{([A-Z_]+):\?", COMPOSE_FILE.read_text()))
    assert required <= set(env), required - set(env)


def test_env_example_holds_placeholders_only() -> None:
    for key, value in env_example().items():
        if SECRET_KEY.search(key) and not key.endswith("_EMAIL"):
            assert value == "" or "change-me" in value, f"{key} must be a placeholder, not {value!r}"
    # The store's own settings that production refuses to start without are all there.
    assert {"SEIKO_JWT_SECRET", "ALERTMANAGER_WEBHOOK_TOKEN", "POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD"} <= set(
        env_example())
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored, "deploy/.env must never be committed"
