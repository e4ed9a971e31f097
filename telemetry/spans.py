"""Trace ids as the decision log stores them, and spans linked to another trace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace

_tracer = trace.get_tracer("seiko.ops")


def tracing() -> bool:
    """Whether the current work is being recorded (a sampled trace in a process that traces)."""
    return trace.get_current_span().is_recording()


def trace_ids(span: trace.Span) -> tuple[str, str] | None:
    """The span's trace and span ids in hex, as stored with a decision; None when it is not recorded
    (no tracing, or a trace the sampler left out: no backend will ever have it)."""
    ctx = span.get_span_context()
    if not ctx.is_valid or not ctx.trace_flags.sampled:
        return None
    return trace.format_trace_id(ctx.trace_id), trace.format_span_id(ctx.span_id)


@contextmanager
def linked_span(name: str, linked: tuple[str, str] | None,
                attributes: dict[str, str | int]) -> Iterator[trace.Span]:
    """A span in the current trace with a link to another (a human's approval of what an agent run
    proposed: two traces, joined by the link)."""
    links = []
    if linked is not None:
        context = trace.SpanContext(int(linked[0], 16), int(linked[1], 16), is_remote=True,
                                    trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED))
        links.append(trace.Link(context, {"seiko.link": "proposed_by"}))
    with _tracer.start_as_current_span(name, links=links, attributes=attributes) as span:
        yield span
