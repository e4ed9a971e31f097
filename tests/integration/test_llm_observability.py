"""What the LLM parts show outside: streaming from both providers, the ops API over the decision
log, Prometheus counters, and Langfuse spans reaching a loopback collector."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from agent.gateway import Gateway, Slot
from agent.loop import AgentLoop, Prompt
from agent.providers.base import TextDelta
from agent.providers.claude import ClaudeProvider
from agent.providers.ollama_provider import OllamaProvider
from agent.tracing import LangfuseTracer
from common.llm import LLMRequest, LLMResponse, Message
from db.pool import Pool
from decision_log.pricing import PriceTable
from decision_log.recorder import DecisionRecorder
from tests.fakes import anthropic_server as claude_fake
from tests.fakes import ollama_server as ollama_fake
from tests.fix_app import Users, scrape
from tests.integration.test_llm_gateway import MODEL, TOOLS, offline_policy, run_limits

pytestmark = pytest.mark.integration

REQUEST = LLMRequest(system="Be brief.", messages=(Message("user", "hello"),), tools=TOOLS.specs)


async def collect(provider: Any) -> tuple[str, LLMResponse]:
    text, final = [], None
    async for event in provider.stream(REQUEST, timeout=2):
        if isinstance(event, TextDelta):
            text.append(event.text)
        else:
            final = event
    assert final is not None
    return "".join(text), final


async def test_both_providers_stream_text_and_tool_calls() -> None:
    with claude_fake.running_anthropic_fake() as claude, ollama_fake.running_ollama_fake() as ollama:
        claude.script(claude_fake.Reply.tool_use("lookup_stock", {"reference": "SRPE93K1"},
                                                 text="Let me check the shelf.", cache_read=40))
        ollama.script(ollama_fake.Reply.text_reply("Four left on the shelf."))
        text, final = await collect(ClaudeProvider(api_key="t", model=MODEL, base_url=claude.url))
        assert text == "Let me check the shelf."
        assert final.tool_calls[0].name == "lookup_stock"
        assert final.tool_calls[0].arguments == {"reference": "SRPE93K1"}
        assert final.usage.cache_read_tokens == 40
        text, final = await collect(OllamaProvider(host=ollama.url, model="llama3.2:3b"))
        assert text == "Four left on the shelf."
        assert final.usage.input_tokens == 26


async def test_ops_api_over_the_decision_log(client: httpx.AsyncClient, users: Users, pool: Pool) -> None:
    with claude_fake.running_anthropic_fake() as claude:
        claude.script(claude_fake.Reply.text_reply("done", input_tokens=1000, output_tokens=100))
        loop = AgentLoop(Gateway([Slot(ClaudeProvider(api_key="t", model=MODEL, base_url=claude.url))],
                                 prices=PriceTable(), limits=run_limits()), TOOLS, DecisionRecorder(pool))
        ran = await loop.run(agent="stock", trigger="alert:abc123", prompt=Prompt("p", 2, "sys"),
                             user_message="go", context={}, offline_policy=offline_policy)
    offline_loop = AgentLoop(Gateway([], prices=PriceTable(), limits=run_limits()), TOOLS, DecisionRecorder(pool))
    offline = await offline_loop.run(
        agent="shopper", trigger="chat:s1", prompt=Prompt("p", 2, "sys"), user_message="hi", context={},
        offline_policy=offline_policy)
    ops = await users.ops()
    page = (await client.get("/api/v1/ops/decisions", headers=ops)).json()
    assert {d["id"] for d in page["items"]} == {str(ran.decision_id), str(offline.decision_id)}
    only = (await client.get("/api/v1/ops/decisions", params={"agent": "stock", "trigger": "alert:"},
                             headers=ops)).json()["items"]
    assert [d["provider"] for d in only] == ["claude"]
    assert only[0]["cost_usd"] == "0.003000"  # 1000 x $2 + 100 x $10 per million
    detail = (await client.get(f"/api/v1/ops/decisions/{offline.decision_id}", headers=ops)).json()
    assert detail["calls"][0]["provider"] == "offline"
    assert detail["final_text"] == "offline: 4 left"
    costs = (await client.get("/api/v1/ops/costs", params={"by": "model,day"}, headers=ops)).json()
    by_model = {r["model"]: r for r in costs["rows"]}
    assert by_model[MODEL]["calls"] == 1
    assert by_model[MODEL]["cost_usd"] == "0.003000"
    assert by_model["offline-policy"]["cost_usd"] == "0.000000"
    agents = (await client.get("/api/v1/ops/costs", params={"by": "agent,outcome"}, headers=ops)).json()
    assert {(r["agent"], r["outcome"]) for r in agents["rows"]} == {("stock", "ok"), ("shopper", "ok")}
    bad = await client.get("/api/v1/ops/costs", params={"by": "model,colour"}, headers=ops)
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_input"
    missing = await client.get("/api/v1/ops/decisions/00000000-0000-4000-8000-000000000000", headers=ops)
    assert missing.json()["code"] == "decision_not_found"
    metrics = scrape()
    assert 'llm_requests_total{model="claude-sonnet-5-5",outcome="ok",provider="claude"}' in metrics
    assert 'agent_decisions_total{agent="shopper",outcome="completed"}' in metrics
    assert 'llm_tokens_total{model="claude-sonnet-5-5",provider="claude",type="input"}' in metrics


class _Collector:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.paths: list[str] = []


@pytest.fixture
def collector() -> Iterator[tuple[str, _Collector]]:
    seen = _Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.paths.append(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.bodies.append(gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def do_GET(self) -> None:
            self.do_POST()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


async def test_langfuse_spans_reach_a_loopback_collector(pool: Pool, collector: tuple[str, _Collector]) -> None:
    url, seen = collector
    tracer = LangfuseTracer("pk-lf-test", "sk-lf-test", url)
    with claude_fake.running_anthropic_fake() as claude:
        claude.script(claude_fake.Reply.text_reply("traced", input_tokens=10, output_tokens=2))
        loop = AgentLoop(Gateway([Slot(ClaudeProvider(api_key="t", model=MODEL, base_url=claude.url))],
                                 prices=PriceTable(), limits=run_limits()), TOOLS, DecisionRecorder(pool),
                         tracer=tracer)
        result = await loop.run(agent="stock", trigger="drill", prompt=Prompt("stock_agent_system", 3, "s"),
                                 user_message="go", context={}, offline_policy=offline_policy)
    tracer.shutdown()
    payload = b"".join(seen.bodies)
    assert any("/otel/" in p for p in seen.paths), seen.paths
    for expected in (b"stock-decision", b"claude-call", MODEL.encode(), str(result.decision_id).encode()):
        assert expected in payload, expected
