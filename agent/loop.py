"""The tool-use loop: ask the model, run the tools it calls, feed the results back, stop at an
answer or a cap. Every run, whatever happens, ends in exactly one decision row.

The loop holds no database connection: the decision's start, each model call and its end are
written through the recorder (a pooled connection per short write), and tools borrow their own.
Time comes from the gateway's clock, the one clock of the run."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from opentelemetry import trace

from agent import metrics
from agent.gateway import Gateway, RunState
from agent.limits import RunLimitExceeded, RunLimits, StepLimitExceeded, TokenLimitExceeded
from agent.tracing import NullTracer, Tracer
from common.llm import LLMRequest, Message, TextSink, Usage
from decision_log.recorder import DecisionRecorder
from decision_log.records import CallRecord, DecisionEnd, DecisionStart, Fallback, ToolCallRecord
from telemetry import genai, spans
from tools.registry import ToolRegistry, ToolResult

OFFLINE_MODEL = "offline-policy"
ToolRunner = Callable[[str, dict[str, Any]], Awaitable[ToolResult]]
OfflinePolicy = Callable[[ToolRunner], Awaitable[str]]


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int | None
    text: str


@dataclass
class RunResult:
    decision_id: uuid.UUID
    outcome: str
    text: str
    provider: str | None
    model: str | None
    usage: Usage
    cost_usd: Decimal | None
    fallbacks: tuple[Fallback, ...]
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    error: str | None = None

    @property
    def fallback_reason(self) -> str | None:
        """The fallbacks as one readable line ("claude: timeout; ollama: connection")."""
        return "; ".join(map(str, self.fallbacks)) or None


class AgentLoop:
    def __init__(self, gateway: Gateway, tools: ToolRegistry, recorder: DecisionRecorder, *,
                 limits: RunLimits | None = None, tracer: Tracer | None = None) -> None:
        self.gateway = gateway
        self.tools = tools
        self.recorder = recorder
        self.limits = limits or gateway.limits
        self.tracer = tracer or NullTracer()
        self.clock = gateway.clock

    async def run(
        self, *, agent: str, trigger: str, prompt: Prompt, user_message: str, context: Any,
        offline_policy: OfflinePolicy, max_tokens: int = 1024, metadata: dict[str, Any] | None = None,
        decision_id: uuid.UUID | None = None, sink: TextSink | None = None,
    ) -> RunResult:
        """`decision_id` may be chosen by the caller, so that tools can stamp what they write with it.
        With a `sink`, the answer streams into it while the model writes it."""
        decision_id = decision_id or uuid.uuid4()
        with genai.invoke_agent(agent, decision_id=str(decision_id), trigger=trigger, prompt=prompt.name,
                                prompt_version=prompt.version) as span:
            result = await self._run(span, decision_id, agent=agent, trigger=trigger, prompt=prompt,
                                     user_message=user_message, context=context, offline_policy=offline_policy,
                                     max_tokens=max_tokens, metadata=metadata, sink=sink)
            genai.set_run_result(span, outcome=result.outcome, tokens=_tokens(result.usage),
                                 provider=result.provider, error=result.error)
        return result

    async def _run(
        self, span: trace.Span, decision_id: uuid.UUID, *, agent: str, trigger: str, prompt: Prompt,
        user_message: str, context: Any, offline_policy: OfflinePolicy, max_tokens: int,
        metadata: dict[str, Any] | None, sink: TextSink | None,
    ) -> RunResult:
        ids = spans.trace_ids(span)
        await self.recorder.start(DecisionStart(decision_id=decision_id, agent=agent, trigger=trigger,
                                                prompt_name=prompt.name, prompt_version=prompt.version,
                                                metadata=metadata or {}, trace_id=ids[0] if ids else None,
                                                span_id=ids[1] if ids else None))
        started = self.clock()
        run = RunState(recorder=self.recorder, decision_id=decision_id, agent=agent,
                       deadline=started + self.limits.max_wall_s, prompt_version=prompt.version, tracer=self.tracer,
                       trace=self.tracer.start_trace(decision_id=str(decision_id), agent=agent, trigger=trigger,
                                                     prompt=prompt.name, prompt_version=prompt.version))
        tool_log: list[ToolCallRecord] = []
        outcome, text, error = "error", "", None

        async def run_tool(name: str, arguments: dict[str, Any], call_id: str | None = None) -> ToolResult:
            with genai.execute_tool(name, call_id) as tool_span:
                result = await self.tools.call(name, arguments, context)
                tool_span.set_attribute("seiko.tool.status", result.status)
                if result.is_error:
                    tool_span.set_status(trace.Status(trace.StatusCode.ERROR, (result.message or "")[:200]))
            tool_log.append(ToolCallRecord(id=call_id, name=name, arguments=arguments, status=result.status,
                                           message=result.message, result=result.data))
            return result

        try:
            text = await self._converse(run, prompt, user_message, max_tokens, run_tool, offline_policy, sink)
            outcome = "completed"
        except RunLimitExceeded as exc:
            outcome, error = exc.outcome, str(exc)
        except Exception as exc:  # recorded, then surfaced as the run's outcome, never lost
            outcome, error = "error", f"{type(exc).__name__}: {exc}"
        latency = int((self.clock() - started) * 1000)
        fallbacks = tuple(run.fallbacks)
        await self.recorder.finish(DecisionEnd(
            decision_id=decision_id, provider=run.provider, model=run.model, outcome=outcome, usage=run.usage,
            cost=run.cost, latency_ms=latency, fallbacks=fallbacks, error=error, tool_calls=tuple(tool_log),
            final_text=text))
        metrics.AGENT_DECISIONS.labels(agent, outcome).inc()
        self.tracer.end_trace(run.trace, outcome=outcome, cost=run.cost)
        return RunResult(decision_id, outcome, text, run.provider, run.model, run.usage, run.cost, fallbacks,
                         tool_log, error)

    async def _converse(
        self, run: RunState, prompt: Prompt, user_message: str, max_tokens: int,
        run_tool: Callable[..., Awaitable[ToolResult]], offline_policy: OfflinePolicy, sink: TextSink | None = None,
    ) -> str:
        messages: list[Message] = [Message("user", user_message)]
        rounds = 0
        while True:
            request = LLMRequest(system=prompt.text, messages=tuple(messages), tools=self.tools.specs,
                                 max_tokens=max_tokens)
            response = await self.gateway.complete(request, run, sink)
            if response is None:
                return await self._offline(run, offline_policy, run_tool)
            if run.usage.total > self.limits.max_total_tokens:
                raise TokenLimitExceeded(f"{run.usage.total} tokens used; the cap is {self.limits.max_total_tokens}")
            if not response.tool_calls:
                return response.text
            if sink is not None:
                await sink.discard()  # text before tool calls ("let me look") is not the answer
            rounds += 1
            if rounds > self.limits.max_tool_rounds:
                raise StepLimitExceeded(f"more than {self.limits.max_tool_rounds} tool rounds")
            results = []
            for call in response.tool_calls:
                result = await run_tool(call.name, call.arguments, call.id)
                results.append((call.id, f"<data>{result.to_model_text()}</data>", result.is_error))
            messages.append(Message("assistant", response.text, tuple(response.tool_calls)))
            messages.append(Message("user", tool_results=tuple(results)))

    async def _offline(self, run: RunState, policy: OfflinePolicy,
                       run_tool: Callable[..., Awaitable[ToolResult]]) -> str:
        """Every model failed or was skipped: the agent's deterministic policy answers, labelled offline."""
        started = self.clock()
        # The offline policy stands where a model would: a `chat` span of its own (no tokens), so the
        # spans and the `llm_calls` rows stay one to one, with the policy's tool calls inside it.
        with genai.chat("offline", OFFLINE_MODEL, attempt=1) as span:
            text = await policy(lambda name, arguments: run_tool(name, arguments, None))
            genai.set_usage(span, _tokens(Usage()))
            genai.set_response(span, model=OFFLINE_MODEL, finish_reason="offline_policy", cost_usd="0")
            await run.recorder.call(CallRecord(
                decision_id=run.decision_id, agent=run.agent, provider="offline", model=OFFLINE_MODEL, attempt=1,
                outcome="ok", usage=Usage(), cost=Decimal(0), latency_ms=int((self.clock() - started) * 1000),
                stop_reason="offline_policy"))
        metrics.LLM_REQUESTS.labels("offline", OFFLINE_MODEL, "ok").inc()
        run.provider, run.model = "offline", OFFLINE_MODEL
        return text


def _tokens(usage: Usage) -> genai.TokenCounts:
    return genai.TokenCounts(usage.input_tokens, usage.output_tokens, usage.cache_write_tokens,
                             usage.cache_read_tokens)
