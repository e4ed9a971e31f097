"""The agents' spans, per the OpenTelemetry GenAI semantic conventions: `invoke_agent` for a run,
`chat` for each attempt at a model (failed ones included), `execute_tool` for each tool call.

Token attributes carry exactly the figures written to the decision log's `llm_calls` rows (for
Anthropic, input tokens exclude the cached ones, which have their own attributes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv.attributes import error_attributes

_tracer = trace.get_tracer("seiko.agent")

# Our provider names, as the conventions spell them (`offline` is the agents' own policy, no model).
PROVIDERS = {"claude": "anthropic", "ollama": "ollama", "offline": "seiko.offline_policy"}


@dataclass(frozen=True)
class TokenCounts:
    input: int
    output: int
    cache_write: int
    cache_read: int


def provider_name(provider: str) -> str:
    return PROVIDERS.get(provider, provider)


@contextmanager
def invoke_agent(agent: str, *, decision_id: str, trigger: str, prompt: str | None,
                 prompt_version: int | None) -> Iterator[trace.Span]:
    attributes: dict[str, str | int] = {
        gen_ai.GEN_AI_OPERATION_NAME: "invoke_agent", gen_ai.GEN_AI_AGENT_NAME: agent,
        "seiko.decision_id": decision_id, "seiko.trigger": trigger}
    if prompt is not None:
        attributes[gen_ai.GEN_AI_PROMPT_NAME] = prompt
    if prompt_version is not None:
        attributes["seiko.prompt_version"] = prompt_version
    if trigger.startswith("chat:"):
        attributes[gen_ai.GEN_AI_CONVERSATION_ID] = trigger.removeprefix("chat:")
    with _tracer.start_as_current_span(f"invoke_agent {agent}", kind=trace.SpanKind.INTERNAL,
                                       attributes=attributes) as span:
        yield span


def set_run_result(span: trace.Span, *, outcome: str, tokens: TokenCounts, provider: str | None,
                   error: str | None) -> None:
    """A run's end: its outcome and the tokens of all its calls (the decision row's figures), under our own
    names: a backend that sums `gen_ai.usage.*` (Langfuse) would otherwise count the run's calls twice."""
    span.set_attributes({"seiko.outcome": outcome, "seiko.usage.input_tokens": tokens.input,
                         "seiko.usage.output_tokens": tokens.output,
                         "seiko.usage.cache_write_tokens": tokens.cache_write,
                         "seiko.usage.cache_read_tokens": tokens.cache_read})
    if provider is not None:
        span.set_attribute(gen_ai.GEN_AI_PROVIDER_NAME, provider_name(provider))
    if outcome != "completed":
        span.set_attribute(error_attributes.ERROR_TYPE, outcome)
        span.set_status(trace.Status(trace.StatusCode.ERROR, (error or outcome)[:200]))


@contextmanager
def chat(provider: str, model: str, *, attempt: int, max_tokens: int | None = None,
         stream: bool = False) -> Iterator[trace.Span]:
    attributes: dict[str, str | int | bool] = {
        gen_ai.GEN_AI_OPERATION_NAME: "chat", gen_ai.GEN_AI_PROVIDER_NAME: provider_name(provider),
        gen_ai.GEN_AI_REQUEST_MODEL: model, "seiko.provider": provider, "seiko.attempt": attempt,
        gen_ai.GEN_AI_REQUEST_STREAM: stream}
    if max_tokens is not None:
        attributes[gen_ai.GEN_AI_REQUEST_MAX_TOKENS] = max_tokens
    with _tracer.start_as_current_span(f"chat {model}", kind=trace.SpanKind.CLIENT, attributes=attributes,
                                       record_exception=False) as span:
        yield span


def set_usage(span: trace.Span, tokens: TokenCounts) -> None:
    span.set_attributes({
        gen_ai.GEN_AI_USAGE_INPUT_TOKENS: tokens.input, gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS: tokens.output,
        gen_ai.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: tokens.cache_write,
        gen_ai.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: tokens.cache_read})


def set_response(span: trace.Span, *, model: str, finish_reason: str | None, cost_usd: str | None) -> None:
    span.set_attribute(gen_ai.GEN_AI_RESPONSE_MODEL, model)
    if finish_reason:
        span.set_attribute(gen_ai.GEN_AI_RESPONSE_FINISH_REASONS, [finish_reason])
    if cost_usd is not None:
        span.set_attribute("seiko.cost_usd", cost_usd)


def set_failure(span: trace.Span, kind: str, message: str) -> None:
    """A failed attempt: `error.type` is the reason the gateway retried or fell back for."""
    span.set_attribute(error_attributes.ERROR_TYPE, kind)
    span.set_status(trace.Status(trace.StatusCode.ERROR, message[:200]))


def fallback(provider: str, reason: str, following: str) -> None:
    """The run gave up on a provider: an event on the current span (the run's), and the reason on it."""
    span = trace.get_current_span()
    span.add_event("gen_ai.fallback", {"seiko.provider": provider, "seiko.fallback_reason": reason,
                                       "seiko.fallback_to": following})


@contextmanager
def execute_tool(name: str, call_id: str | None) -> Iterator[trace.Span]:
    attributes = {gen_ai.GEN_AI_OPERATION_NAME: "execute_tool", gen_ai.GEN_AI_TOOL_NAME: name,
                  gen_ai.GEN_AI_TOOL_TYPE: "function"}
    if call_id:
        attributes[gen_ai.GEN_AI_TOOL_CALL_ID] = call_id
    with _tracer.start_as_current_span(f"execute_tool {name}", kind=trace.SpanKind.INTERNAL,
                                       attributes=attributes) as span:
        yield span

