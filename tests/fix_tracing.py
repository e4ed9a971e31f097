"""Tracing in tests: one SDK tracer provider for the session (OpenTelemetry allows one per process),
whose spans reach an in-memory exporter only while a test asks for them (the `spans` fixture)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from telemetry import sampling, setup


class Switch(SpanProcessor):
    """Passes finished spans to the current test's processor, and drops them between tests."""

    def __init__(self) -> None:
        self.target: SpanProcessor | None = None

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        if self.target is not None:
            self.target.on_end(span)


SWITCH = Switch()


@pytest.fixture(scope="session")
def tracer_provider() -> TracerProvider:
    provider = setup.installed_provider()
    if provider is None:
        provider = TracerProvider(sampler=sampling.sampler(1.0))  # as the store samples
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SWITCH)
    setup.install(setup.TracingConfig())  # instruments psycopg and httpx with the provider above
    return provider


@pytest.fixture
def spans(tracer_provider: TracerProvider) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    SWITCH.target = SimpleSpanProcessor(exporter)
    try:
        yield exporter
    finally:
        SWITCH.target = None
