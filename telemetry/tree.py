"""A trace as an indented tree of its spans, for people (the drill's trace in a terminal or a note)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan

# Attributes worth a glance in a tree; the rest stay in Jaeger.
SHOWN = ("gen_ai.provider.name", "gen_ai.request.model", "gen_ai.tool.name", "gen_ai.usage.input_tokens",
         "gen_ai.usage.output_tokens", "gen_ai.usage.cache_read.input_tokens", "error.type", "seiko.outcome",
         "seiko.tool.status", "http.route", "http.response.status_code", "messaging.destination.name")


def _label(span: ReadableSpan) -> str:
    attributes = span.attributes or {}
    shown = [f"{key.split('.', 1)[1] if key.startswith('gen_ai.') else key}={attributes[key]!s}"
             for key in SHOWN if key in attributes]
    links = [f"link->{trace.format_trace_id(link.context.trace_id)[:8]}" for link in span.links]
    took = (span.end_time - span.start_time) / 1e6 if span.end_time and span.start_time else 0.0
    return " ".join([span.name, f"({took:.1f} ms)", *shown, *links])


def render(spans: Sequence[ReadableSpan], *, skip: Iterable[str] = ()) -> str:
    """Every trace among `spans`, roots first, children in start order. Spans whose name starts with a
    prefix in `skip` are left out (their children move up), e.g. the many SQL statements."""
    skipped = tuple(skip)
    by_id = {s.context.span_id: s for s in spans}

    def parent_of(span: ReadableSpan) -> int | None:
        parent = span.parent.span_id if span.parent else None
        while parent is not None and parent in by_id and by_id[parent].name.startswith(skipped or ("\0",)):
            grand = by_id[parent].parent
            parent = grand.span_id if grand else None
        return parent if parent in by_id else None

    kept = [s for s in spans if not (skipped and s.name.startswith(skipped))]
    children: dict[int | None, list[ReadableSpan]] = {}
    for span in sorted(kept, key=lambda s: s.start_time or 0):
        children.setdefault(parent_of(span), []).append(span)
    lines: list[str] = []

    def walk(span: ReadableSpan, depth: int) -> None:
        lines.append("  " * depth + _label(span))
        for child in children.get(span.context.span_id, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        lines.append(f"trace {trace.format_trace_id(root.context.trace_id)}")
        walk(root, 1)
    return "\n".join(lines)
