"""A trace as an indented tree of its spans, for people (the drill's trace in a terminal or a note).
It reads spans as the SDK holds them or as a collector received them, through one small view."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan

# Attributes worth a glance in a tree; the rest stay in Jaeger.
SHOWN = ("gen_ai.provider.name", "gen_ai.request.model", "gen_ai.usage.input_tokens",
         "gen_ai.usage.output_tokens", "gen_ai.usage.cache_read.input_tokens", "error.type", "seiko.outcome",
         "seiko.tool.status", "http.status_code", "http.response.status_code")


@dataclass(frozen=True)
class SpanView:
    name: str
    trace_id: str  # hex
    span_id: str
    parent_id: str | None
    start_ns: int
    end_ns: int
    attributes: Mapping[str, Any] = field(default_factory=dict)
    linked_traces: tuple[str, ...] = ()

    @property
    def statement(self) -> str | None:
        """The SQL of a database span (psycopg's instrumentation), else None."""
        if "db.system" not in self.attributes and "db.system.name" not in self.attributes:
            return None
        return str(self.attributes.get("db.statement") or self.attributes.get("db.query.text") or self.name)


def view(span: ReadableSpan) -> SpanView:
    return SpanView(
        name=span.name, trace_id=trace.format_trace_id(span.context.trace_id),
        span_id=trace.format_span_id(span.context.span_id),
        parent_id=trace.format_span_id(span.parent.span_id) if span.parent else None,
        start_ns=span.start_time or 0, end_ns=span.end_time or 0, attributes=dict(span.attributes or {}),
        linked_traces=tuple(trace.format_trace_id(link.context.trace_id) for link in span.links))


def _label(span: SpanView) -> str:
    statement = span.statement
    name = "SQL " + " ".join(statement.split())[:70] if statement is not None else span.name
    shown = [f"{key.removeprefix('gen_ai.')}={span.attributes[key]}" for key in SHOWN if key in span.attributes]
    links = [f"link->trace {trace_id[:8]}" for trace_id in span.linked_traces]
    return " ".join([name, f"({(span.end_ns - span.start_ns) / 1e6:.1f} ms)", *shown, *links])


def render(spans: Sequence[SpanView | ReadableSpan], *, sql: str = "writes") -> str:
    """Every trace among `spans`, roots first, children in start order. `sql`: "all" statements,
    "writes" (INSERT, UPDATE, DELETE: what the trace changed), or "none"."""
    views = [s if isinstance(s, SpanView) else view(s) for s in spans]

    def hidden(span: SpanView) -> bool:
        statement = span.statement
        if statement is None or sql == "all":
            return False
        return sql == "none" or not statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))

    by_id = {s.span_id: s for s in views}
    gone = {s.span_id for s in views if hidden(s)}

    def parent_of(span: SpanView) -> str | None:
        parent = span.parent_id
        while parent is not None and parent in gone:
            parent = by_id[parent].parent_id
        return parent if parent in by_id else None

    children: dict[str | None, list[SpanView]] = {}
    for span in sorted((s for s in views if s.span_id not in gone), key=lambda s: s.start_ns):
        children.setdefault(parent_of(span), []).append(span)
    lines: list[str] = []

    def walk(span: SpanView, depth: int) -> None:
        lines.append("  " * depth + _label(span))
        for child in children.get(span.span_id, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        lines.append(f"trace {root.trace_id}")
        walk(root, 1)
    return "\n".join(lines)
