"""The tool registry's derived schemas and formats, the breaker and the price table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.breaker import CircuitBreaker, State
from common.llm import Usage
from decision_log.pricing import PriceTable
from tools.registry import ToolRegistry, ToolResult

REGISTRY = ToolRegistry()


@REGISTRY.tool(writes=True)
async def reorder(ctx: Any, reference: str, quantity: int, rationale: str = "") -> ToolResult:
    """Ask the supplier for more units of one watch.

    Args:
        reference: the Seiko reference
        quantity: units to order, a multiple of the pack size
        rationale: why, in a sentence
    """
    return ToolResult("ok", {"reference": reference, "quantity": quantity})


def test_schema_comes_from_hints_and_docstring() -> None:
    spec = REGISTRY.tools["reorder"].spec
    assert spec.description == "Ask the supplier for more units of one watch."
    schema = spec.input_schema
    assert schema["required"] == ["reference", "quantity"]
    assert schema["properties"]["quantity"]["type"] == "integer"
    assert schema["properties"]["quantity"]["description"] == "units to order, a multiple of the pack size"
    assert schema["additionalProperties"] is False
    assert REGISTRY.anthropic_format()[0]["input_schema"] == schema
    assert REGISTRY.ollama_format()[0] == {"type": "function", "function": {
        "name": "reorder", "description": spec.description, "parameters": schema}}


async def test_invalid_arguments_and_unknown_tools_are_values() -> None:
    bad = await REGISTRY.call("reorder", {"reference": "X", "quantity": "many"}, None)
    assert bad.status == "error"
    assert "quantity" in (bad.message or "")
    extra = await REGISTRY.call("reorder", {"reference": "X", "quantity": 1, "price": 0}, None)
    assert extra.status == "error"
    assert (await REGISTRY.call("nope", {}, None)).status == "error"


def test_cost_is_exact_with_cache_tokens() -> None:
    table = PriceTable()
    usage = Usage(input_tokens=1_234, output_tokens=567, cache_write_tokens=2_000, cache_read_tokens=10_000)
    # haiku 4.5 per million: 1234 x $1 + 567 x $5 + 2000 x $1.25 + 10000 x $0.10 = $7,569 -> $0.007569
    assert table.cost("claude-haiku-4-5", usage) == Decimal("0.007569")
    assert table.cost("llama3.1:8b", usage, provider="ollama") == 0
    assert table.cost("claude-unknown", usage) is None


def test_pricing_file_overrides(tmp_path: Any) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text("claude-haiku-4-5: {input: 2, output: 8, cache_write: 2.5, cache_read: 0.2}\n")
    table = PriceTable.from_file(path)
    assert table.cost("claude-haiku-4-5", Usage(input_tokens=1_000_000)) == Decimal("2.000000")
    assert table.cost("claude-sonnet-4-5", Usage(output_tokens=1_000_000)) == Decimal("15.000000")


def test_breaker_states() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=2, reset_after_s=10, clock=lambda: now[0])
    breaker.record_failure()
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is State.open
    assert not breaker.allow()
    now[0] = 11
    assert breaker.allow(), "one probe when half-open"
    assert not breaker.allow(), "only one"
    breaker.record_failure()
    assert breaker.state is State.open, "a failed probe reopens"
    now[0] = 22
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is State.closed
