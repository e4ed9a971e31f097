"""The provider chain: Claude, then Ollama, then (by returning None) the agent's offline policy.

Each provider has a circuit breaker; retries happen only for errors that can pass (429, 529, 5xx,
timeouts, connection), honour retry-after, and never outlive the run's deadline. Paid providers are
skipped once the day's budget is spent. Every attempt, skip and fallback is recorded with its
reason and cost."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from agent import metrics
from agent.breaker import CircuitBreaker
from agent.limits import Budgets, DeadlineExceeded, RunLimits
from agent.providers.base import LLMProvider, TextDelta
from agent.tracing import NullTracer, Tracer
from common.clock import Clock, system_clock
from common.llm import ErrorKind, LLMRequest, LLMResponse, ProviderError, TextSink, Usage
from decision_log.pricing import PriceTable
from decision_log.recorder import DecisionRecorder
from decision_log.records import CallRecord, Fallback
from telemetry import genai

MAX_BACKOFF_S = 8.0


@dataclass
class Slot:
    provider: LLMProvider
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)


@dataclass
class RunState:
    """What one agent run accumulates while it talks to providers. It holds no connection: every
    record goes through the recorder, which borrows one per write."""

    recorder: DecisionRecorder
    decision_id: uuid.UUID
    agent: str
    deadline: float  # on the gateway's clock
    prompt_version: int | None = None
    tracer: Tracer = field(default_factory=NullTracer)
    trace: Any = None
    usage: Usage = field(default_factory=Usage)
    cost: Decimal | None = Decimal(0)
    fallbacks: list[Fallback] = field(default_factory=list)
    provider: str | None = None
    model: str | None = None

    def add_cost(self, cost: Decimal | None) -> None:
        self.cost = None if cost is None or self.cost is None else self.cost + cost


@dataclass
class SpendCache:
    """Today's spend, read from the decision log at most every `ttl_s` and kept current in between
    with this process's own costs, so the budget check is not a query on every call. The database
    decides what "today" is; the cache only ages on the injected clock."""

    clock: Clock
    ttl_s: float = 5.0
    _values: dict[str | None, tuple[Decimal, float]] = field(default_factory=dict)

    async def today(self, recorder: DecisionRecorder, agent: str | None) -> Decimal:
        cached = self._values.get(agent)
        if cached is None or self.clock() - cached[1] > self.ttl_s:
            self._values[agent] = (await recorder.spent_today(agent=agent), self.clock())
        return self._values[agent][0]

    def add(self, agent: str, cost: Decimal) -> None:
        for key in (None, agent):
            if key in self._values:
                value, fetched = self._values[key]
                self._values[key] = (value + cost, fetched)


class Gateway:
    def __init__(
        self, slots: list[Slot], *, prices: PriceTable, limits: RunLimits, budgets: Budgets | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Clock = system_clock,
    ) -> None:
        self.slots = slots
        self.prices = prices
        self.budgets = budgets or Budgets()
        self.limits = limits
        self.sleep = sleep
        self.clock = clock
        self._spend = SpendCache(clock=clock)

    async def complete(self, request: LLMRequest, run: RunState, sink: TextSink | None = None) -> LLMResponse | None:
        """The first provider's answer; None when every provider failed or was skipped. With a `sink`, the
        answer is streamed into it as it is written (and discarded there when an attempt fails)."""
        for index, slot in enumerate(self.slots):
            reason = await self._skip_reason(slot, run)
            if reason is None:
                response, reason = await self._attempts(slot, request, run, sink)
                if response is not None:
                    return response
            else:
                await self._record(run, slot, attempt=0, outcome="skipped", error_kind=reason)
            following = self.slots[index + 1].provider.name if index + 1 < len(self.slots) else "offline"
            genai.fallback(slot.provider.name, reason, following)
            run.fallbacks.append(Fallback(slot.provider.name, reason))
            metrics.LLM_FALLBACKS.labels(slot.provider.name, following, reason).inc()
        return None

    async def _skip_reason(self, slot: Slot, run: RunState) -> str | None:
        if not slot.breaker.allow():
            return "circuit_open"
        if slot.provider.paid and await self._budget_spent(run):
            return "budget_exhausted"
        return None

    async def _budget_spent(self, run: RunState) -> bool:
        total, per_agent = self.budgets.daily_total_usd, self.budgets.daily_per_agent_usd.get(run.agent)
        if total is not None and await self._spend.today(run.recorder, None) >= total:
            return True
        return per_agent is not None and await self._spend.today(run.recorder, run.agent) >= per_agent

    async def _attempts(
        self, slot: Slot, request: LLMRequest, run: RunState, sink: TextSink | None
    ) -> tuple[LLMResponse | None, str]:
        reason = "error"
        for attempt in range(1, self.limits.max_attempts + 1):
            remaining = run.deadline - self.clock()
            if remaining <= 0:
                raise DeadlineExceeded("the run's wall-time cap was reached while calling providers")
            started = self.clock()
            with genai.chat(slot.provider.name, slot.provider.model, attempt=attempt, max_tokens=request.max_tokens,
                            stream=sink is not None) as span:
                try:
                    timeout = min(self.limits.call_timeout_s, remaining)
                    response = await (self._stream(slot.provider, request, timeout, sink) if sink is not None
                                      else slot.provider.complete(request, timeout=timeout))
                except ProviderError as exc:
                    slot.breaker.record_failure()
                    reason = exc.kind.value
                    genai.set_failure(span, reason, exc.message)
                    genai.set_usage(span, _tokens(Usage()))  # as its llm_calls row: a failed attempt bills nothing
                    await self._record(run, slot, attempt=attempt, outcome="error", error_kind=reason,
                                       error=exc.message, latency_ms=self._ms(started))
                    if not exc.retryable or attempt == self.limits.max_attempts:
                        break
                    delay = min(exc.retry_after if exc.retry_after is not None else 0.5 * 2 ** (attempt - 1),
                                MAX_BACKOFF_S)
                    if self.clock() + delay >= run.deadline:
                        break  # waiting would outlive the run: fall back now
                    span.set_attribute("seiko.retry_in_s", delay)
                else:
                    slot.breaker.record_success()
                    cost = self.prices.cost(response.model, response.usage, provider=slot.provider.name)
                    genai.set_usage(span, _tokens(response.usage))
                    genai.set_response(span, model=response.model, finish_reason=response.stop_reason,
                                       cost_usd=str(cost) if cost is not None else None)
                    await self._record(run, slot, attempt=attempt, outcome="ok", usage=response.usage, cost=cost,
                                       latency_ms=self._ms(started), stop_reason=response.stop_reason,
                                       model=response.model)
                    run.usage += response.usage
                    run.add_cost(cost)
                    run.provider, run.model = slot.provider.name, response.model
                    return response, ""
            await self.sleep(delay)  # outside the attempt's span: the wait is not the model's time
        return None, reason

    @staticmethod
    async def _stream(provider: LLMProvider, request: LLMRequest, call_timeout: float, sink: TextSink
                      ) -> LLMResponse:
        final: LLMResponse | None = None
        try:
            # The SDK enforces the per-call timeout on its own HTTP client.
            async for event in provider.stream(request, timeout=call_timeout):
                if isinstance(event, TextDelta):
                    await sink.text(event.text)
                else:
                    final = event
            if final is None:
                raise ProviderError(ErrorKind.server_error, "the stream ended without a final message")
        except ProviderError:
            await sink.discard()  # the next attempt (or provider) writes the answer again from the start
            raise
        return final

    def _ms(self, started: float) -> int:
        return int((self.clock() - started) * 1000)

    async def _record(
        self, run: RunState, slot: Slot, *, attempt: int, outcome: str, usage: Usage | None = None,
        cost: Decimal | None = Decimal(0), latency_ms: int = 0, error_kind: str | None = None,
        error: str | None = None, stop_reason: str | None = None, model: str | None = None,
    ) -> None:
        provider, model = slot.provider.name, model or slot.provider.model
        usage = usage or Usage()
        await run.recorder.call(CallRecord(
            decision_id=run.decision_id, agent=run.agent, provider=provider, model=model, attempt=attempt,
            outcome=outcome, usage=usage, cost=cost, latency_ms=latency_ms, error_kind=error_kind, error=error,
            stop_reason=stop_reason))
        if cost:
            self._spend.add(run.agent, cost)
        metrics.LLM_REQUESTS.labels(provider, model, outcome).inc()
        for kind, count in (("input", usage.input_tokens), ("output", usage.output_tokens),
                            ("cache_write", usage.cache_write_tokens), ("cache_read", usage.cache_read_tokens)):
            if count:
                metrics.LLM_TOKENS.labels(provider, model, kind).inc(count)
        if cost:
            metrics.LLM_COST.labels(provider, model).inc(float(cost))
        if outcome != "skipped":
            run.tracer.generation(run.trace, provider=provider, model=model, usage=usage, cost=cost,
                                  latency_ms=latency_ms, outcome=outcome, prompt_version=run.prompt_version)


def _tokens(usage: Usage) -> genai.TokenCounts:
    return genai.TokenCounts(usage.input_tokens, usage.output_tokens, usage.cache_write_tokens,
                             usage.cache_read_tokens)
