"""The typed records an agent run writes to the decision log: its start, one row per model call, its
end. They cross from the agent loop and the gateway into the repository as these values, not dicts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from common.llm import Usage


@dataclass(frozen=True)
class Fallback:
    """One provider given up on during a run, and why (timeout, rate_limited, circuit_open, ...)."""

    provider: str
    reason: str

    def __str__(self) -> str:
        return f"{self.provider}: {self.reason}"


@dataclass(frozen=True)
class DecisionStart:
    decision_id: uuid.UUID
    agent: str
    trigger: str
    prompt_name: str | None
    prompt_version: int | None
    metadata: dict[str, Any] = field(default_factory=dict)
    # The run's OpenTelemetry span (hex ids), when the process traces.
    trace_id: str | None = None
    span_id: str | None = None


@dataclass(frozen=True)
class CallRecord:
    """One attempt at one provider (or the offline policy): what it cost and how it ended."""

    decision_id: uuid.UUID
    agent: str
    provider: str
    model: str
    attempt: int
    outcome: str  # ok | error | skipped
    usage: Usage = field(default_factory=Usage)
    cost: Decimal | None = Decimal(0)
    latency_ms: int = 0
    error_kind: str | None = None
    error: str | None = None
    stop_reason: str | None = None


@dataclass(frozen=True)
class ToolCallRecord:
    """One tool call of a run, with the result the model was given."""

    id: str | None
    name: str
    arguments: dict[str, Any]
    status: str
    message: str | None
    result: Any

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "arguments": self.arguments, "status": self.status,
                "message": self.message, "result": self.result}


@dataclass(frozen=True)
class DecisionEnd:
    decision_id: uuid.UUID
    provider: str | None
    model: str | None
    outcome: str
    usage: Usage
    cost: Decimal | None
    latency_ms: int
    fallbacks: tuple[Fallback, ...]
    error: str | None
    tool_calls: tuple[ToolCallRecord, ...]
    final_text: str | None


@dataclass(frozen=True)
class Skipped:
    """Work a run looked at and did not do, and why (e.g. a low watch the daily cap left out)."""

    subject: str
    reason: str
