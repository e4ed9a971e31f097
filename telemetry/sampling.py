"""Which new traces are recorded: a ratio of them, but never one that would begin with a client span.

A client span with no parent is background housekeeping (the job queue polling for work, worker
heartbeats, a pool opening a connection): a trace per poll would bury the traces people look for.
Everything a request, a job or an agent run does has a parent, and is sampled with it."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes


class NoOrphanClients(Sampler):
    def __init__(self, inner: Sampler) -> None:
        self.inner = inner

    def should_sample(self, parent_context: Context | None, trace_id: int, name: str,
                      kind: SpanKind | None = None, attributes: Attributes = None,
                      links: Sequence[Link] | None = None, trace_state: TraceState | None = None) -> SamplingResult:
        if kind == SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return self.inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"NoOrphanClients{{{self.inner.get_description()}}}"


def sampler(ratio: float) -> Sampler:
    """New traces: `ratio` of them, none begun by a client span; children: as their parent."""
    return ParentBased(NoOrphanClients(TraceIdRatioBased(ratio)))
