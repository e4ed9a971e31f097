"""A span processor that passes on only GenAI spans: Langfuse wants the agents' runs, model calls and
tool calls, not every SQL statement and HTTP request of the store."""

from __future__ import annotations

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor


def is_genai(span: ReadableSpan) -> bool:
    return any(key.startswith("gen_ai.") for key in (span.attributes or {}))


class GenAiOnly(SpanProcessor):
    def __init__(self, inner: SpanProcessor) -> None:
        self.inner = inner

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None  # the attributes that decide are set during the span; only its end is forwarded

    def on_end(self, span: ReadableSpan) -> None:
        if is_genai(span):
            self.inner.on_end(span)

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)
