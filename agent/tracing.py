"""Tracing of decisions and calls. The null tracer is the default; Langfuse when configured."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from common.llm import Usage


class Tracer(Protocol):
    def start_trace(self, *, decision_id: str, agent: str, trigger: str, prompt: str | None,
                    prompt_version: int | None) -> Any: ...

    def generation(self, trace: Any, *, provider: str, model: str, usage: Usage, cost: Decimal | None,
                   latency_ms: int, outcome: str, prompt_version: int | None) -> None: ...

    def end_trace(self, trace: Any, *, outcome: str, cost: Decimal | None) -> None: ...

    def shutdown(self) -> None: ...


class NullTracer:
    def start_trace(self, **_: Any) -> None:
        return None

    def generation(self, trace: Any, **_: Any) -> None:
        return None

    def end_trace(self, trace: Any, **_: Any) -> None:
        return None

    def shutdown(self) -> None:
        return None


@dataclass
class LangfuseTracer:
    """A trace per decision and a generation per LLM call, through the `langfuse` SDK."""

    public_key: str
    secret_key: str
    host: str

    def __post_init__(self) -> None:
        from langfuse import Langfuse
        from opentelemetry.sdk.trace import TracerProvider

        # A provider of its own: without one the SDK joins (or becomes) the process's OpenTelemetry
        # provider, and would also export the store's GenAI spans, counting every call twice.
        self._client = Langfuse(public_key=self.public_key, secret_key=self.secret_key, host=self.host,
                                tracer_provider=TracerProvider())

    def start_trace(self, *, decision_id: str, agent: str, trigger: str, prompt: str | None,
                    prompt_version: int | None) -> Any:
        return self._client.start_observation(
            name=f"{agent}-decision", as_type="agent", input={"trigger": trigger},
            version=str(prompt_version) if prompt_version is not None else None,
            metadata={"decision_id": decision_id, "agent": agent, "prompt": prompt, "prompt_version": prompt_version})

    def generation(self, trace: Any, *, provider: str, model: str, usage: Usage, cost: Decimal | None,
                   latency_ms: int, outcome: str, prompt_version: int | None) -> None:
        if trace is None:
            return
        generation = trace.start_observation(
            name=f"{provider}-call", as_type="generation", model=model,
            version=str(prompt_version) if prompt_version is not None else None,
            usage_details={"input": usage.input_tokens, "output": usage.output_tokens,
                           "cache_write": usage.cache_write_tokens, "cache_read": usage.cache_read_tokens},
            cost_details={"total": float(cost)} if cost is not None else None,
            metadata={"provider": provider, "latency_ms": latency_ms, "outcome": outcome,
                      "prompt_version": prompt_version},
        )
        generation.end()

    def end_trace(self, trace: Any, *, outcome: str, cost: Decimal | None) -> None:
        if trace is None:
            return
        trace.update(output={"outcome": outcome, "cost_usd": str(cost) if cost is not None else None})
        trace.end()
        self._client.flush()

    def shutdown(self) -> None:
        """Send what is buffered and stop the exporter (at process exit)."""
        self._client.shutdown()
