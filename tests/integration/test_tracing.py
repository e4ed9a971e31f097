"""The agents' spans follow the OpenTelemetry GenAI conventions (`invoke_agent` > `chat` per model
attempt, failed ones included, and `execute_tool`), their token figures are the `llm_calls` rows, and
the decision keeps the run's trace. Real SDKs against the local fakes; spans from the SDK's in-memory
exporter."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent.gateway import Gateway, Slot
from agent.loop import AgentLoop, Prompt
from agent.providers.claude import ClaudeProvider
from db.pool import Conn, Pool
from decision_log.pricing import PriceTable
from decision_log.recorder import DecisionRecorder
from telemetry import propagation
from tests.fakes import anthropic_server as claude_fake
from tests.integration.test_llm_gateway import MODEL, TOOLS, Clock, offline_policy, run_limits

pytestmark = pytest.mark.integration

TOKEN_KEYS = ("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
              "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_read.input_tokens")
ROW_KEYS = ("input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens")


def named(spans: InMemorySpanExporter, prefix: str) -> list[ReadableSpan]:
    return sorted((s for s in spans.get_finished_spans() if s.name.startswith(prefix)), key=lambda s: s.start_time or 0)


def parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


async def llm_calls(conn: Conn, decision_id: Any) -> list[dict[str, Any]]:
    cur = await conn.execute("SELECT provider, model, attempt, outcome, error_kind, input_tokens, output_tokens, "
                             "cache_write_tokens, cache_read_tokens FROM llm_calls WHERE decision_id = %s "
                             "AND outcome <> 'skipped' ORDER BY id", (decision_id,))
    return await cur.fetchall()


def claude_loop(url: str, pool: Pool, clock: Clock) -> AgentLoop:
    gateway = Gateway([Slot(ClaudeProvider(api_key="t", model=MODEL, base_url=url))], prices=PriceTable(),
                      limits=run_limits(), sleep=clock.sleep, clock=clock)
    return AgentLoop(gateway, TOOLS, DecisionRecorder(pool))


async def test_a_run_is_an_invoke_agent_span_of_chat_and_execute_tool_spans_matching_llm_calls(
    spans: InMemorySpanExporter, pool: Pool, conn: Conn
) -> None:
    clock = Clock()
    with claude_fake.running_anthropic_fake(stall_seconds=1.0) as claude:
        claude.script(claude_fake.Reply.fault("529"),
                      claude_fake.Reply.tool_use("lookup_stock", {"reference": "SRPD55K1"}, input_tokens=300,
                                                 output_tokens=25, cache_write=1200),
                      claude_fake.Reply.text_reply("Four left.", input_tokens=340, output_tokens=9, cache_read=1200))
        result = await claude_loop(claude.url, pool, clock).run(
            agent="stock", trigger="alert:fp-t1", prompt=Prompt("test_prompt", 3, "You count stock."),
            user_message="how many?", context={}, offline_policy=offline_policy)
    assert result.outcome == "completed"

    (run,) = named(spans, "invoke_agent")
    chats, tools = named(spans, "chat "), named(spans, "execute_tool")
    assert run.name == "invoke_agent stock"
    assert run.attributes is not None
    assert run.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert run.attributes["gen_ai.agent.name"] == "stock"
    assert run.attributes["seiko.decision_id"] == str(result.decision_id)
    assert [parent_id(s) for s in chats + tools] == [run.context.span_id] * 4, "all inside the run"
    assert {s.context.trace_id for s in [run, *chats, *tools]} == {run.context.trace_id}

    # One chat span per attempt, the overloaded one included, and its tokens are its llm_calls row.
    rows = await llm_calls(conn, result.decision_id)
    assert [(r["attempt"], r["outcome"]) for r in rows] == [(1, "error"), (2, "ok"), (1, "ok")]
    assert len(chats) == len(rows)
    for span, row in zip(chats, rows, strict=True):
        attributes = span.attributes or {}
        assert attributes["gen_ai.operation.name"] == "chat"
        assert attributes["gen_ai.request.model"] == row["model"] == MODEL
        assert attributes["gen_ai.provider.name"] == "anthropic"
        assert attributes["seiko.attempt"] == row["attempt"]
        assert tuple(attributes[k] for k in TOKEN_KEYS) == tuple(row[k] for k in ROW_KEYS)
    failed = chats[0]
    assert (failed.attributes or {})["error.type"] == "overloaded" == rows[0]["error_kind"]
    assert failed.status.status_code == trace.StatusCode.ERROR
    assert (chats[1].attributes or {})["gen_ai.usage.cache_creation.input_tokens"] == 1200
    assert (chats[2].attributes or {})["gen_ai.response.finish_reasons"] == ("end_turn",)

    (tool,) = tools
    assert (tool.attributes or {})["gen_ai.tool.name"] == "lookup_stock"
    assert (tool.attributes or {})["seiko.tool.status"] == "ok"
    assert chats[1].end_time is not None and tool.start_time is not None and chats[1].end_time <= tool.start_time

    cur = await conn.execute("SELECT trace_id, span_id FROM decisions WHERE id = %s", (result.decision_id,))
    assert await cur.fetchone() == {"trace_id": trace.format_trace_id(run.context.trace_id),
                                    "span_id": trace.format_span_id(run.context.span_id)}


async def test_a_fallback_to_the_offline_policy_shows_each_attempt_and_the_reason(
    spans: InMemorySpanExporter, pool: Pool, conn: Conn
) -> None:
    clock = Clock()
    with claude_fake.running_anthropic_fake(stall_seconds=1.0) as claude:
        claude.script(*[claude_fake.Reply.fault("500")] * 3)
        result = await claude_loop(claude.url, pool, clock).run(
            agent="shopper", trigger="chat:s-42", prompt=Prompt("test_prompt", 1, "sys"), user_message="hi",
            context={}, offline_policy=offline_policy)
    assert (result.outcome, result.provider, result.fallback_reason) == ("completed", "offline", "claude: server_error")
    (run,) = named(spans, "invoke_agent")
    assert (run.attributes or {})["gen_ai.conversation.id"] == "s-42"
    (event,) = [e for e in run.events if e.name == "gen_ai.fallback"]
    assert dict(event.attributes or {}) == {"seiko.provider": "claude", "seiko.fallback_reason": "server_error",
                                            "seiko.fallback_to": "offline"}
    chats = named(spans, "chat ")
    rows = await llm_calls(conn, result.decision_id)
    assert [((s.attributes or {})["seiko.provider"], (s.attributes or {})["seiko.attempt"]) for s in chats] == \
        [(r["provider"], r["attempt"]) for r in rows] == [("claude", 1), ("claude", 2), ("claude", 3),
                                                          ("offline", 1)]
    assert [(s.attributes or {}).get("error.type") for s in chats] == ["server_error"] * 3 + [None]
    offline = chats[-1]
    assert (offline.attributes or {})["gen_ai.provider.name"] == "seiko.offline_policy"
    (tool,) = named(spans, "execute_tool")
    assert parent_id(tool) == offline.context.span_id, "the offline policy's tool calls sit inside its span"


async def test_a_run_in_a_trace_not_sampled_stores_no_trace_id(spans: InMemorySpanExporter, pool: Pool,
                                                                conn: Conn) -> None:
    # The alert's request was left out by the sampler (flags 00): its job follows, and Jaeger will never
    # have that trace, so the decision links to nothing rather than to a trace that does not exist.
    not_sampled = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}
    with propagation.job_span("stock_agent", 7, 1, not_sampled):
        loop = AgentLoop(Gateway([], prices=PriceTable(), limits=run_limits()), TOOLS, DecisionRecorder(pool))
        result = await loop.run(agent="stock", trigger="drill", prompt=Prompt("p", 1, "s"), user_message="go",
                                context={}, offline_policy=offline_policy)
    assert result.outcome == "completed"
    assert [s.name for s in spans.get_finished_spans()
            if s.name.split()[0] in ("process", "invoke_agent", "chat", "execute_tool")
            or s.context.trace_id == 0x0af7651916cd43dd8448eb211c80319c] == []
    cur = await conn.execute("SELECT trace_id, span_id FROM decisions WHERE id = %s", (result.decision_id,))
    assert await cur.fetchone() == {"trace_id": None, "span_id": None}
