"""Trace context across the job queue: the deferring code's context travels in the job's arguments
(W3C `traceparent`/`tracestate`), and the job's span continues that trace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import context, propagate, trace

# The key in a job's JSON arguments; the payload models never see it (the queue takes it out first).
CARRIER_KEY = "_trace"
_tracer = trace.get_tracer("seiko.jobs")


def current_carrier() -> dict[str, str]:
    """The current trace context as text headers; empty when nothing is being traced."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def with_carrier(arguments: dict[str, Any]) -> dict[str, Any]:
    carrier = current_carrier()
    return {**arguments, CARRIER_KEY: carrier} if carrier else arguments


def split_carrier(arguments: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The job's own arguments, and the carrier it was deferred with (empty if none)."""
    rest = dict(arguments)
    carrier = rest.pop(CARRIER_KEY, None)
    valid = isinstance(carrier, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in carrier.items())
    return rest, carrier if valid else {}


@contextmanager
def job_span(kind: str, job_id: int, attempt: int, carrier: dict[str, str]) -> Iterator[trace.Span]:
    """A consumer span for one attempt at a job, a child of the span that deferred it."""
    parent = propagate.extract(carrier)
    token = context.attach(parent)
    try:
        with _tracer.start_as_current_span(
            f"process {kind}", kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.system": "procrastinate", "messaging.operation.type": "process",
                        "messaging.destination.name": kind, "messaging.message.id": str(job_id),
                        "seiko.job.attempt": attempt},
        ) as span:
            yield span
    finally:
        context.detach(token)
