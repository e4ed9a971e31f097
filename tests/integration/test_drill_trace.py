"""The drill as one trace: Alertmanager's webhook -> the queued job -> the stock agent's run -> its
proposal, under one trace id; the decision stores it and the console links to it; a person's approval
is a span of its own trace with a link to the run that proposed it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from db.pool import Conn
from telemetry.tree import render
from tests.fix_app import Users, build_test_app, make_settings, started
from tests.integration.test_stock_agent import AUTH, URL, alert, payload

pytestmark = pytest.mark.integration
JAEGER = "http://jaeger.test:16686"


@pytest_asyncio.fixture
async def traced_app(db_url: str, spans: InMemorySpanExporter) -> AsyncIterator[FastAPI]:
    # `spans` first: the session's tracer provider exists before the app is built and instrumented.
    async for running in started(build_test_app(make_settings(db_url, SEIKO_JAEGER_URL=JAEGER))):
        yield running


@pytest_asyncio.fixture
async def traced_client(traced_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=traced_app), base_url="http://store.test") as c:
        yield c


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    (found,) = [s for s in spans if s.name == name]
    return found


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


async def test_alert_to_proposal_is_one_trace_and_the_approval_links_to_it(
    spans: InMemorySpanExporter, traced_app: FastAPI, traced_client: httpx.AsyncClient, conn: Conn
) -> None:
    client = traced_client
    r = await client.post(URL, json=payload(alert("fp-traced")), headers=AUTH)
    assert r.status_code == 202 and r.json()["queued"] == 1
    assert await traced_app.state.worker.run_once()

    finished = list(spans.get_finished_spans())
    webhook = one(finished, "POST /api/v1/alerts/alertmanager")
    assert webhook.kind == trace.SpanKind.SERVER
    drill = [s for s in finished if s.context.trace_id == webhook.context.trace_id]
    by_id = {s.context.span_id: s for s in drill}
    job, run = one(drill, "process stock_agent"), one(drill, "invoke_agent stock")
    assert ancestors(job, by_id)[-1] == webhook.name, "the job continues the webhook's trace"
    assert ancestors(run, by_id) == [job.name, *ancestors(job, by_id)]
    proposing = [s for s in drill if s.name == "execute_tool create_reorder_request"]
    assert proposing and all(run.name in ancestors(s, by_id) for s in proposing)
    inserts = [s for s in drill if "INSERT INTO reorder_proposals" in str((s.attributes or {}).get("db.statement"))]
    assert inserts and all(ancestors(s, by_id)[0] in {p.name for p in proposing} for s in inserts), \
        "the proposal's own INSERT is in the trace, inside the tool call"
    print("\n" + render(drill))

    ops = await Users(client).ops()
    trace_hex = trace.format_trace_id(webhook.context.trace_id)
    (decision,) = (await client.get("/api/v1/ops/decisions", params={"agent": "stock"}, headers=ops)).json()["items"]
    assert (decision["trace_id"], decision["span_id"]) == (trace_hex, trace.format_span_id(run.context.span_id))
    page = await client.get(f"/ops/decisions/{decision['id']}", headers=ops)
    assert f'href="{JAEGER}/trace/{trace_hex}"' in page.text

    pending = (await client.get("/api/v1/ops/reorders", params={"status": "pending"}, headers=ops)).json()["items"]
    spans.clear()
    approved = await client.post(f"/api/v1/ops/reorders/{pending[0]['id']}/approve", headers=ops)
    assert approved.json()["status"] == "approved"
    approval = one(list(spans.get_finished_spans()), "approve reorder")
    assert approval.context.trace_id != webhook.context.trace_id, "the approval is its own request's trace"
    (link,) = approval.links
    assert (link.context.trace_id, link.context.span_id) == (run.context.trace_id, run.context.span_id)
    request = one(list(spans.get_finished_spans()), "POST /api/v1/ops/reorders/{proposal_id}/approve")
    assert approval.parent is not None and approval.parent.span_id == request.context.span_id
