"""The process's tracer provider: built once by the composition root, exporting with OTLP over
HTTP/protobuf to `OTEL_EXPORTER_OTLP_ENDPOINT` (and, when asked, the GenAI spans to Langfuse's OTLP
endpoint). With neither, nothing is installed: the API's no-op tracer costs next to nothing.

psycopg and httpx are instrumented process-wide (their instrumentors patch the libraries); FastAPI per
app, by `instrument_app`."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from telemetry import sampling
from telemetry.filtering import GenAiOnly

# Probes and static files would be most of the spans and none of the insight.
EXCLUDED_URLS = "/health,/ready,/static/.*,/favicon.ico"


@dataclass(frozen=True)
class LangfuseOtlp:
    """Langfuse's OTLP intake (`{host}/api/public/otel/v1/traces`, HTTP basic auth with the key pair)."""

    host: str
    public_key: str
    secret_key: str

    @property
    def endpoint(self) -> str:
        return self.host.rstrip("/") + "/api/public/otel/v1/traces"

    @property
    def headers(self) -> dict[str, str]:
        pair = base64.b64encode(f"{self.public_key}:{self.secret_key}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}


@dataclass(frozen=True)
class TracingConfig:
    service_name: str = "seiko-store"
    otlp_endpoint: str | None = None  # the collector's base URL; spans go to {endpoint}/v1/traces
    sample_ratio: float = 1.0
    langfuse: LangfuseOtlp | None = None
    extra_exporters: Sequence[SpanExporter] = field(default_factory=tuple)

    @property
    def exporting(self) -> bool:
        return bool(self.otlp_endpoint or self.langfuse or self.extra_exporters)


def traces_url(endpoint: str) -> str:
    """OTEL_EXPORTER_OTLP_ENDPOINT is a base URL; the signal's path is appended, as the spec says."""
    return endpoint.rstrip("/") + "/v1/traces"


def build_provider(config: TracingConfig) -> TracerProvider:
    """A provider with the configured exporters, sampling a ratio of new traces (never one begun by a
    client span: see telemetry/sampling.py) and following the parent's decision otherwise (so a job
    continues, or skips, what its request began)."""
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: config.service_name}),
                              sampler=sampling.sampler(config.sample_ratio))
    processors: list[SpanProcessor] = []
    if config.otlp_endpoint:
        processors.append(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(config.otlp_endpoint))))
    if config.langfuse is not None:
        exporter = OTLPSpanExporter(endpoint=config.langfuse.endpoint, headers=config.langfuse.headers)
        processors.append(GenAiOnly(BatchSpanProcessor(exporter)))
    processors += [BatchSpanProcessor(exporter) for exporter in config.extra_exporters]
    for processor in processors:
        provider.add_span_processor(processor)
    return provider


def installed_provider() -> TracerProvider | None:
    """The SDK provider this process already uses (set by an earlier `install`, a test harness or an
    embedding program), or None while only the API's proxy is there."""
    current = trace.get_tracer_provider()
    return current if isinstance(current, TracerProvider) else None


def install(config: TracingConfig) -> TracerProvider | None:
    """Make tracing live in this process when there is somewhere to send spans, and instrument psycopg
    and httpx. An SDK provider already installed is kept (OpenTelemetry allows one per process). None
    when tracing is off."""
    provider = installed_provider()
    if provider is None and config.exporting:
        provider = build_provider(config)
        trace.set_tracer_provider(provider)
    if provider is not None:
        # Both are no-ops (with a warning) when already instrumented; guard to keep the log quiet.
        if not PsycopgInstrumentor().is_instrumented_by_opentelemetry:
            PsycopgInstrumentor().instrument(tracer_provider=provider, enable_commenter=False)
        if not HTTPXClientInstrumentor().is_instrumented_by_opentelemetry:
            HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    return provider


def instrument_app(app: FastAPI, provider: TracerProvider | None) -> None:
    """A server span per request (W3C traceparent honoured), the route template as its name. (FastAPI's
    own telemetry sees this middleware in the stack and stands aside, so a request is traced once.)"""
    if provider is not None:
        # Without the per-message "http send"/"http receive" spans: a streamed chat would have hundreds.
        FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS,
                                           exclude_spans=["receive", "send"])


def shutdown(provider: TracerProvider | None) -> None:
    """Send what is buffered (at process exit)."""
    if provider is not None:
        provider.force_flush()

