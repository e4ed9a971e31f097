"""The gateway and the agent loop against the real anthropic and ollama SDKs talking to local fakes:
fallbacks, retries, breaker, budget, caps, invalid tool arguments, costs. Every run leaves exactly
one decision row."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from agent.breaker import CircuitBreaker
from agent.gateway import Gateway, Slot
from agent.limits import Budgets, RunLimits
from agent.loop import AgentLoop, Prompt, ToolRunner
from agent.providers.claude import ClaudeProvider
from agent.providers.ollama_provider import OllamaProvider
from db.pool import Conn, Pool
from decision_log.pricing import PriceTable
from decision_log.recorder import DecisionRecorder
from decision_log.repo import DECISION_COLUMNS
from tests.fakes import anthropic_server as claude_fake
from tests.fakes import ollama_server as ollama_fake
from tests.fix_app import make_settings
from tools.registry import ToolRegistry, ToolResult

pytestmark = pytest.mark.integration

MODEL = "claude-sonnet-5-5"
TOOLS = ToolRegistry()


@TOOLS.tool()
async def lookup_stock(ctx: dict[str, Any], reference: str, warehouse: str = "main") -> ToolResult:
    """Units available of one watch.

    Args:
        reference: the Seiko reference, e.g. SRPD55K1
        warehouse: which warehouse to count
    """
    ctx.setdefault("looked_up", []).append(reference)
    return ToolResult("ok", {"reference": reference, "available": 4})


@pytest.fixture
def claude() -> Iterator[claude_fake.AnthropicFake]:
    with claude_fake.running_anthropic_fake(stall_seconds=1.0) as fake:
        yield fake


@pytest.fixture
def ollama() -> Iterator[ollama_fake.OllamaFake]:
    with ollama_fake.running_ollama_fake(stall_seconds=1.0) as fake:
        yield fake


class Clock:
    """Far from the machine's own monotonic clock on purpose: a run must never compare the two."""

    def __init__(self) -> None:
        self.now = 1e9
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def run_limits(**overrides: Any) -> RunLimits:
    """The settings' limits (their one source), with a short per-call timeout for the fakes' stalls."""
    return replace(make_settings("postgresql://unused").run_limits,
                   **{"call_timeout_s": 0.5, "max_attempts": 3, "max_wall_s": 60, **overrides})


def make_loop(claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake, pool: Pool, *,
              clock: Clock | None = None, budgets: Budgets | None = None, limits: RunLimits | None = None,
              breaker: CircuitBreaker | None = None) -> AgentLoop:
    clock = clock or Clock()
    limits = limits or run_limits()
    slots = [Slot(ClaudeProvider(api_key="test", model=MODEL, base_url=claude.url),
                  breaker or CircuitBreaker(3, 30, clock=clock)),
             Slot(OllamaProvider(host=ollama.url, model="llama3.2:3b"), CircuitBreaker(3, 30, clock=clock))]
    gateway = Gateway(slots, prices=PriceTable(), budgets=budgets, limits=limits, sleep=clock.sleep, clock=clock)
    return AgentLoop(gateway, TOOLS, DecisionRecorder(pool))


async def offline_policy(run_tool: ToolRunner) -> str:
    result = await run_tool("lookup_stock", {"reference": "SRPD55K1"})
    return f"offline: {result.data['available']} left"


async def run(loop: AgentLoop, context: dict[str, Any] | None = None) -> Any:
    return await loop.run(agent="stock", trigger="drill", prompt=Prompt("test_prompt", 1, "You count stock."),
                          user_message="How many SRPD55K1?", context=context if context is not None else {},
                          offline_policy=offline_policy)


async def decisions(conn: Conn) -> list[dict[str, Any]]:
    cur = await conn.execute(f"SELECT {DECISION_COLUMNS}, tool_calls FROM decisions")
    return await cur.fetchall()


async def calls(conn: Conn, decision_id: uuid.UUID) -> list[tuple[str, str, str | None]]:
    cur = await conn.execute("SELECT provider, outcome, error_kind FROM llm_calls WHERE decision_id = %s ORDER BY id",
                             (decision_id,))
    return [(r["provider"], r["outcome"], r["error_kind"]) for r in await cur.fetchall()]


async def test_claude_tool_round_trip_with_caching_and_exact_cost(
    conn: Conn, pool: Pool, claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake
) -> None:
    claude.script(
        claude_fake.Reply.tool_use("lookup_stock", {"reference": "SRPD55K1"}, input_tokens=1200, output_tokens=40,
                                   cache_write=900, cache_read=0),
        claude_fake.Reply.text_reply("SRPD55K1 has 4 units.", input_tokens=300, output_tokens=20, cache_read=900),
    )
    context: dict[str, Any] = {}
    result = await run(make_loop(claude, ollama, pool), context)
    assert result.error is None
    assert (result.outcome, result.provider, result.text) == ("completed", "claude", "SRPD55K1 has 4 units.")
    assert context["looked_up"] == ["SRPD55K1"]
    first, second = claude.bodies
    assert first["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert first["tools"][0]["input_schema"]["properties"]["reference"]["description"].startswith("the Seiko")
    tool_result = second["messages"][-1]["content"][0]
    assert tool_result["type"] == "tool_result"
    assert '"available": 4' in tool_result["content"]
    # sonnet 5.5: $2 in, $10 out, $2.50 cache write, $0.10 cache read per million tokens
    expected = (Decimal(1500) * 2 + Decimal(60) * 10 + Decimal(900) * Decimal("2.50")
                + Decimal(900) * Decimal("0.10")) / 1_000_000
    assert result.cost_usd == expected.quantize(Decimal("0.000001"))
    (row,) = await decisions(conn)
    assert (row["input_tokens"], row["output_tokens"], row["cache_write_tokens"], row["cache_read_tokens"]) == (
        1500, 60, 900, 900)
    assert row["cost_usd"] == result.cost_usd
    assert row["prompt_name"] == "test_prompt"
    assert row["tool_calls"][0]["name"] == "lookup_stock"
    assert await calls(conn, row["id"]) == [("claude", "ok", None), ("claude", "ok", None)]


async def test_claude_overloaded_then_ollama_answers(
    conn: Conn, pool: Pool, claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake
) -> None:
    claude.script(*(claude_fake.Reply(fault="529") for _ in range(3)))
    ollama.script(ollama_fake.Reply.text_reply("4 units", prompt_eval_count=50, eval_count=5))
    clock = Clock()
    result = await run(make_loop(claude, ollama, pool, clock=clock))
    assert (result.outcome, result.provider, result.text) == ("completed", "ollama", "4 units")
    assert result.fallback_reason == "claude: overloaded"
    assert result.cost_usd == 0
    assert clock.slept == [0.5, 1.0], "exponential backoff between the three attempts"
    (row,) = await decisions(conn)
    assert (row["provider"], row["fallback_reason"], row["input_tokens"]) == ("ollama", "claude: overloaded", 50)
    assert await calls(conn, row["id"]) == [("claude", "error", "overloaded")] * 3 + [("ollama", "ok", None)]


async def test_rate_limit_honours_retry_after(
    conn: Conn, pool: Pool, claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake
) -> None:
    claude.script(claude_fake.Reply(fault="429", retry_after=7), claude_fake.Reply.text_reply("fine"))
    clock = Clock()
    result = await run(make_loop(claude, ollama, pool, clock=clock))
    assert (result.provider, result.text) == ("claude", "fine")
    assert clock.slept == [7.0]


async def test_both_down_then_the_offline_policy(
    conn: Conn, pool: Pool, claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake
) -> None:
    claude.script(claude_fake.Reply(fault="500"), claude_fake.Reply(fault="timeout"), claude_fake.Reply(fault="500"))
    ollama.script(*(ollama_fake.Reply(fault="500") for _ in range(3)))
    result = await run(make_loop(claude, ollama, pool))
    assert (result.outcome, result.provider, result.model) == ("completed", "offline", "offline-policy")
    assert result.text == "offline: 4 left"
    assert result.fallback_reason == "claude: server_error; ollama: server_error"
    (row,) = await decisions(conn)
    assert row["provider"] == "offline"
    kinds = await calls(conn, row["id"])
    assert kinds[-1] == ("offline", "ok", None)
    assert ("claude", "error", "timeout") in kinds
    assert [c["name"] for c in row["tool_calls"]] == ["lookup_stock"]


async def test_breaker_opens_skips_and_recovers(
    conn: Conn, pool: Pool, claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake
) -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=3, reset_after_s=30, clock=clock)
    loop = make_loop(claude, ollama, pool, clock=clock, breaker=breaker)
    claude.script(*(claude_fake.Reply(fault="529") for _ in range(3)))
    await run(loop)
    assert breaker.state == "open"
    sent = len(claude.requests)
    second = await run(loop)
    assert len(claude.requests) == sent, "an open breaker sends nothing"
    assert second.fallback_reason == "claude: circuit_open"
    clock.now += 31  # half-open: one probe goes through, and its success closes the breaker
    claude.script(claude_fake.Reply.text_reply("back"))
    third = await run(loop)
    assert (third.provider, third.text) == ("claude", "back")
    assert breaker.state == "closed"
    assert len(await decisions(conn)) == 3


async def test_budget_spent_skips_the_paid_provider(
    conn: Conn, pool: Pool, claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake
) -> None:
    claude.script(claude_fake.Reply.text_reply("paid answer", input_tokens=2_000_000))
    loop = make_loop(claude, ollama, pool, budgets=Budgets(daily_total_usd=Decimal("3")))
    first = await run(loop)
    assert first.provider == "claude"
    assert first.cost_usd == Decimal("4.000070")  # 2M input x $2 + 7 output x $10 per million
    second = await run(loop)
    assert second.provider == "ollama"
    assert second.fallback_reason == "claude: budget_exhausted"
    assert len(claude.requests) == 1


async def test_step_cap_ends_the_run_and_records_it(
    conn: Conn, pool: Pool, claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake
) -> None:
    claude.script(*(claude_fake.Reply.tool_use("lookup_stock", {"reference": "SRPD55K1"}) for _ in range(5)))
    result = await run(make_loop(claude, ollama, pool, limits=run_limits(max_tool_rounds=2, call_timeout_s=1)))
    assert result.outcome == "step_limit"
    (row,) = await decisions(conn)
    assert (row["outcome"], row["error"]) == ("step_limit", "more than 2 tool rounds")
    assert len(row["tool_calls"]) == 2


async def test_invalid_tool_arguments_go_back_to_the_model(
    conn: Conn, pool: Pool, claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake
) -> None:
    claude.script(claude_fake.Reply.tool_use("lookup_stock", {"ref": 55}),
                  claude_fake.Reply.tool_use("no_such_tool", {}),
                  claude_fake.Reply.text_reply("sorry"))
    result = await run(make_loop(claude, ollama, pool))
    assert result.outcome == "completed"
    errors = [b["messages"][-1]["content"][0] for b in claude.bodies[1:]]
    assert errors[0]["is_error"] is True
    assert "invalid arguments for lookup_stock" in errors[0]["content"]
    assert "unknown tool 'no_such_tool'" in errors[1]["content"]
    assert [c.status for c in result.tool_calls] == ["error", "error"]


async def test_unpriced_model_is_recorded_with_null_cost(
    conn: Conn, pool: Pool, claude: claude_fake.AnthropicFake, ollama: ollama_fake.OllamaFake
) -> None:
    slots = [Slot(ClaudeProvider(api_key="test", model="claude-imaginary-9", base_url=claude.url))]
    loop = AgentLoop(Gateway(slots, prices=PriceTable(), limits=run_limits()), TOOLS, DecisionRecorder(pool))
    result = await run(loop)
    assert result.provider == "claude"
    assert result.cost_usd is None
    (row,) = await decisions(conn)
    assert row["cost_usd"] is None
    assert row["outcome"] == "completed"
