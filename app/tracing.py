"""Wiring of OpenTelemetry: what the settings say about exporters and sampling, installed once per
process (`seiko serve`, `seiko api` and `seiko worker` alike)."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider

from app.settings import Settings
from telemetry import setup
from telemetry.setup import LangfuseOtlp, TracingConfig


def langfuse_keys(settings: Settings) -> tuple[str, str, str] | None:
    if settings.langfuse_public_key and settings.langfuse_secret_key and settings.langfuse_host:
        return settings.langfuse_public_key, settings.langfuse_secret_key.get_secret_value(), settings.langfuse_host
    return None


def tracing_config(settings: Settings) -> TracingConfig:
    keys = langfuse_keys(settings)
    langfuse = LangfuseOtlp(host=keys[2], public_key=keys[0], secret_key=keys[1]) \
        if keys is not None and settings.langfuse_otlp else None
    return TracingConfig(service_name=settings.otel_service_name, otlp_endpoint=settings.otel_exporter_otlp_endpoint,
                         sample_ratio=settings.trace_sample_ratio, langfuse=langfuse)


def install_tracing(settings: Settings) -> TracerProvider | None:
    return setup.install(tracing_config(settings))
