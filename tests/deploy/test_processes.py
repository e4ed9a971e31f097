"""The processes compose.yml runs, as real processes on one database: `seiko api` (no in-process worker),
`seiko worker` (any number, each with its own Prometheus endpoint), and the API behind a trusted proxy."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.deploy.stack_tools import ROOT, free_port, run
from tests.fix_app import ALERT_TOKEN

pytestmark = pytest.mark.integration

_DROPPED = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY",
            "LANGFUSE_HOST", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SEIKO_PRICING_FILE", "TEST_DATABASE_URL")


def http(url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_for(what: str, check: Callable[[], bool], proc: subprocess.Popen[str], log: Path,
             timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode} before {what}:\n{log.read_text()[-4000:]}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-4000:]}")


@contextmanager
def seiko(tmp_path: Path, name: str, args: list[str], db_url: str,
          **env: str) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """`seiko ARGS` on the test database, outside the checkout (no developer .env), logging to a file."""
    environ = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    environ.update(DATABASE_URL=db_url, SEIKO_ENV="development", SEIKO_LOG_JSON="true", SEIKO_INDEX_ON_START="false",
                   SEIKO_SCHEDULER="false", ALERTMANAGER_WEBHOOK_TOKEN=ALERT_TOKEN,
                   SEIKO_DATA_DIR=str(tmp_path / f"{name}-data"))
    # Every `seiko api`/`seiko serve` listens for metrics too; a free port each, so runs never collide.
    environ.update({"SEIKO_METRICS_PORT": str(free_port()), **env})
    environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), environ.get("PYTHONPATH", "")) if p)
    log = tmp_path / f"{name}.log"
    cwd = tmp_path / f"{name}-cwd"
    cwd.mkdir()
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app", *args], env=environ, cwd=cwd, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        try:
            yield proc, log
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def job_statuses(db_url: str) -> list[str]:
    with psycopg.connect(db_url) as conn:
        return [row[0] for row in conn.execute("SELECT status::text FROM procrastinate_jobs ORDER BY id")]


def low_stock_alert(fingerprint: str) -> dict[str, Any]:
    return {"version": "4", "groupKey": "test", "truncatedAlerts": 0, "status": "firing",
            "receiver": "seiko-stock-agent", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://am",
            "alerts": [{"status": "firing", "fingerprint": fingerprint, "startsAt": "2026-11-25T09:00:00Z",
                        "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus",
                        "labels": {"alertname": "WatchesLowStock", "alert_type": "stock", "severity": "warning"},
                        "annotations": {"summary": "watches low"}}]}


def test_cli_lists_api_and_worker() -> None:
    output = run(sys.executable, "-m", "app", "--help").stdout
    assert re.search(r"^\W*api\s", output, re.MULTILINE), output
    assert re.search(r"^\W*worker\s", output, re.MULTILINE), output
    assert "SEIKO_WORKER_METRICS_PORT" in run(sys.executable, "-m", "app", "worker", "--help").stdout


def test_api_queues_and_a_separate_worker_runs_and_exposes_metrics(tmp_path: Path, db_url: str) -> None:
    port, metrics_port, api_metrics_port = free_port(), free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    with seiko(tmp_path, "api", ["api", "--port", str(port)], db_url, SEIKO_METRICS_PORT=str(api_metrics_port),
               SEIKO_METRICS_TOKEN="api-metrics-token-0123456789", SEIKO_METRICS_REFRESH_SECONDS="0.5") as (
            api, api_log):
        wait_for("seiko api /ready", lambda: http(f"{base}/ready")[0] == 200, api, api_log)
        status, body = http(f"{base}/api/v1/alerts/alertmanager", low_stock_alert("split-fp-1"),
                            {"Authorization": f"Bearer {ALERT_TOKEN}"})
        assert status == 202, body
        # No worker inside `seiko api`: the job waits in the queue.
        time.sleep(3)
        assert job_statuses(db_url) == ["todo"], api_log.read_text()[-3000:]

        with seiko(tmp_path, "worker", ["worker"], db_url, SEIKO_WORKER_METRICS_PORT=str(metrics_port)) as (
                worker, worker_log):
            wait_for("the worker to run the job", lambda: job_statuses(db_url) == ["succeeded"], worker, worker_log)
            status, metrics = http(f"http://127.0.0.1:{metrics_port}/metrics")
            assert status == 200
            # The run happened in the worker process, so its counters are on the worker's endpoint.
            decided = r'^agent_decisions_total\{agent="stock",outcome="completed"\} 1\.0$'
            assert re.search(decided, metrics, re.MULTILINE), metrics
            assert 'llm_requests_total{model="offline-policy",outcome="ok",provider="offline"}' in metrics
            assert not re.search(r"^\w+_created[{ ]", metrics, re.MULTILINE), "no _created series, as in the API"

        # ...and not on the API's: nothing ran there. The API's metrics are on their own port, behind the
        # token, never on the store's port; proposals are read from the database on a schedule.
        assert http(f"{base}/metrics")[0] == 404
        api_metrics_url = f"http://127.0.0.1:{api_metrics_port}/metrics"
        assert http(api_metrics_url)[0] == 401
        bearer = {"Authorization": "Bearer api-metrics-token-0123456789"}

        def pending_on_the_api() -> bool:
            status, api_metrics = http(api_metrics_url, headers=bearer)
            assert status == 200 and 'agent="stock"' not in api_metrics
            pending = re.search(r'^reorder_proposals\{status="pending"\} (\S+)$', api_metrics, re.MULTILINE)
            return bool(pending and float(pending.group(1)) >= 1)

        wait_for("the API's reorder_proposals gauge", pending_on_the_api, api, api_log, timeout=30)


def test_api_behind_a_trusted_proxy_limits_each_client_by_its_forwarded_address(tmp_path: Path, db_url: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with seiko(tmp_path, "api", ["api", "--port", str(port)], db_url, SEIKO_FORWARDED_ALLOW_IPS="127.0.0.1",
               SEIKO_RATE_LIMIT="4/minute") as (api, log):
        wait_for("seiko api /ready", lambda: http(f"{base}/ready")[0] == 200, api, log)

        def watches(client: str) -> int:
            return http(f"{base}/api/v1/watches?limit=1", headers={"X-Forwarded-For": client})[0]

        assert [watches("203.0.113.7") for _ in range(5)] == [200, 200, 200, 200, 429]
        # Another shopper behind the same proxy has a limit of their own.
        assert watches("203.0.113.8") == 200
    access = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    clients = {r.get("client") for r in access if r.get("path") == "/api/v1/watches"}
    assert clients == {"203.0.113.7", "203.0.113.8"}, clients


def test_without_trusted_proxies_forwarded_headers_are_ignored(tmp_path: Path, db_url: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with seiko(tmp_path, "api", ["api", "--port", str(port)], db_url, SEIKO_RATE_LIMIT="3/minute") as (api, log):
        wait_for("seiko api /ready", lambda: http(f"{base}/ready")[0] == 200, api, log)
        # A client cannot dodge the limit by claiming other addresses.
        codes = [http(f"{base}/api/v1/watches?limit=1", headers={"X-Forwarded-For": f"198.51.100.{i}"})[0]
                 for i in range(4)]
        assert codes == [200, 200, 200, 429]
