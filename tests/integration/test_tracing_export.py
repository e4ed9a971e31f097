"""`seiko serve` with OTEL_EXPORTER_OTLP_ENDPOINT really sends its spans: a loopback OTLP/HTTP receiver
decodes the protobuf it gets, and the drill (an Alertmanager webhook, the in-process worker's job, the
stock agent's run, its proposals) arrives as one trace, the one the decision records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import psycopg
import pytest

from telemetry.tree import render
from tests.fakes.otlp_receiver import OtlpReceiver, running_otlp_receiver
from tests.fix_app import ALERT_TOKEN
from tests.integration.test_serve import free_port, until_ready
from tests.integration.test_stock_agent import alert, payload

pytestmark = pytest.mark.integration


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with running_otlp_receiver() as r:
        yield r


def wait_for(receiver: OtlpReceiver, name: str, seconds: float = 90) -> None:
    """A bounded wait for the worker's run to be exported (not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(s.name == name for s in receiver.spans):
            return
        time.sleep(0.1)
    raise AssertionError(f"no {name!r} span arrived; got {sorted({s.name for s in receiver.spans})}")


def post_alert(port: int) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/alerts/alertmanager", data=json.dumps(payload(alert("fp-otlp"))).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {ALERT_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status)


def test_serve_exports_the_drill_as_one_trace_over_otlp(db_url: str, receiver: OtlpReceiver) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "SEIKO_ENV": "test", "SEIKO_INDEX_ON_START": "false",
           "SEIKO_SCHEDULER": "false", "SEIKO_METRICS_PORT": str(free_port()), "SEIKO_LOG_JSON": "true",
           "ALERTMANAGER_WEBHOOK_TOKEN": ALERT_TOKEN, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
           "OTEL_SERVICE_NAME": "seiko-e2e", "OTEL_BSP_SCHEDULE_DELAY": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        until_ready(proc, port, output=lambda: proc.communicate()[0])
        assert post_alert(port) == 202
        wait_for(receiver, "invoke_agent stock")
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output[-3000:]

    assert {e.path for e in receiver.exports} == {"/v1/traces"}
    assert {e.headers["content-type"] for e in receiver.exports} == {"application/x-protobuf"}
    spans = receiver.spans
    assert {s.resource["service.name"] for s in spans} == {"seiko-e2e"}
    (webhook,) = [s for s in spans if s.name == "POST /api/v1/alerts/alertmanager"]
    drill = [s for s in spans if s.trace_id == webhook.trace_id]
    assert {"process stock_agent", "invoke_agent stock", "chat offline-policy", "execute_tool list_low_stock_watches",
            "execute_tool create_reorder_request"} <= {s.name for s in drill}
    assert [s for s in drill if str(s.attributes.get("db.statement", "")).lstrip().startswith(
        "INSERT INTO reorder_proposals")], "the proposals' INSERTs are part of the trace"
    assert not [s for s in spans if s.parent_span_id == "" and s.kind == 3], "no trace begins with a client span"
    (run,) = [s for s in drill if s.name == "invoke_agent stock"]
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT trace_id, span_id FROM decisions WHERE agent = 'stock'").fetchall()
    assert row == [(run.trace_id, run.span_id)]
    print("\n" + render([s.view() for s in drill]))
