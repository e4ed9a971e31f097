"""The tracing set-up on the wire: the OTLP/HTTP protobuf exporter really sends to the endpoint (a
loopback receiver decodes what arrives), Langfuse's OTLP intake gets only GenAI spans with its basic
auth, sampling follows the settings and the parent, and a job's arguments carry its trace."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent.tracing import LangfuseTracer, NullTracer
from app.llm import build_tracer
from app.tracing import tracing_config
from telemetry import propagation
from telemetry.setup import LangfuseOtlp, TracingConfig, build_provider
from telemetry.tree import SpanView, render
from tests.fakes.otlp_receiver import OtlpReceiver, running_otlp_receiver
from tests.fix_app import make_settings


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with running_otlp_receiver() as r:
        yield r


def test_spans_reach_the_otlp_endpoint_as_protobuf(receiver: OtlpReceiver) -> None:
    provider = build_provider(TracingConfig(service_name="seiko-test", otlp_endpoint=receiver.url + "/"))
    tracer = provider.get_tracer("seiko.agent")
    with tracer.start_as_current_span("invoke_agent stock", attributes={"gen_ai.operation.name": "invoke_agent"}) \
            as run, tracer.start_as_current_span("chat claude-sonnet-5-5", kind=trace.SpanKind.CLIENT,
                                                 attributes={"gen_ai.usage.input_tokens": 120}):
        pass
    assert provider.force_flush(5000)
    provider.shutdown()
    (export,) = receiver.exports
    assert export.path == "/v1/traces"  # the signal path appended to the base URL, once
    assert export.headers["content-type"] == "application/x-protobuf"
    by_name = {s.name: s for s in export.spans}
    assert set(by_name) == {"invoke_agent stock", "chat claude-sonnet-5-5"}
    chat = by_name["chat claude-sonnet-5-5"]
    assert chat.attributes["gen_ai.usage.input_tokens"] == 120
    assert chat.parent_span_id == by_name["invoke_agent stock"].span_id
    assert chat.trace_id == trace.format_trace_id(run.get_span_context().trace_id)
    assert chat.kind == 3  # SPAN_KIND_CLIENT on the wire
    assert chat.resource["service.name"] == "seiko-test"


def test_langfuse_gets_only_genai_spans_with_its_basic_auth(receiver: OtlpReceiver) -> None:
    provider = build_provider(TracingConfig(langfuse=LangfuseOtlp(receiver.url, "pk-lf-1", "sk-lf-2")))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("POST /api/v1/alerts/alertmanager"), \
            tracer.start_as_current_span("chat m", attributes={"gen_ai.operation.name": "chat"}), \
            tracer.start_as_current_span("SELECT seiko"):
        pass
    assert provider.force_flush(5000)
    provider.shutdown()
    (export,) = receiver.exports
    assert export.path == "/api/public/otel/v1/traces"
    assert export.headers["authorization"] == "Basic " + base64.b64encode(b"pk-lf-1:sk-lf-2").decode()
    assert [s.name for s in export.spans] == ["chat m"]


def test_sampling_ratio_applies_to_new_traces_children_follow_their_parent_and_no_client_begins_one() -> None:
    exporter = InMemorySpanExporter()
    provider = build_provider(TracingConfig(sample_ratio=0.0, extra_exporters=(exporter,)))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("new trace") as root:
        assert not root.is_recording()
    everything = build_provider(TracingConfig(sample_ratio=1.0)).get_tracer("t")
    with everything.start_as_current_span("GET /api/v1/watches", kind=trace.SpanKind.SERVER) as request:
        assert request.is_recording()
    with everything.start_as_current_span("SELECT", kind=trace.SpanKind.CLIENT) as polling:
        assert not polling.is_recording(), "a statement outside any work (the queue polling) begins no trace"
    sampled = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    with propagation.job_span("stock_agent", 1, 1, sampled):
        with tracer.start_as_current_span("inside a sampled job") as child:
            assert child.is_recording()
        with tracer.start_as_current_span("SELECT", kind=trace.SpanKind.CLIENT) as statement:
            assert statement.is_recording(), "a statement inside a traced job is part of its trace"

    provider.force_flush(5000)
    assert [s.name for s in exporter.get_finished_spans()] == ["inside a sampled job", "SELECT"]
    assert trace.format_trace_id(exporter.get_finished_spans()[0].context.trace_id) == \
        "0af7651916cd43dd8448eb211c80319c"


def test_a_job_carries_the_trace_that_deferred_it(spans: InMemorySpanExporter) -> None:
    tracer = trace.get_tracer("t")
    with tracer.start_as_current_span("webhook") as webhook:
        arguments = propagation.with_carrier({"trigger": "alert:fp1"})
    assert propagation.CARRIER_KEY in arguments
    own, carrier = propagation.split_carrier(arguments)
    assert own == {"trigger": "alert:fp1"}, "the payload model never sees the carrier"
    with propagation.job_span("stock_agent", 42, 2, carrier) as job:
        pass
    assert job.get_span_context().trace_id == webhook.get_span_context().trace_id
    finished = {s.name: s for s in spans.get_finished_spans()}
    assert finished["process stock_agent"].parent is not None
    assert finished["process stock_agent"].parent.span_id == webhook.get_span_context().span_id
    assert finished["process stock_agent"].attributes["messaging.message.id"] == "42"
    # Outside any trace nothing is added, and a mangled carrier is ignored rather than trusted.
    assert propagation.with_carrier({"trigger": "x"}) == {"trigger": "x"}
    assert propagation.split_carrier({"trigger": "x", "_trace": "junk"}) == ({"trigger": "x"}, {})


def test_settings_choose_the_exporters_and_one_langfuse_path() -> None:
    plain = tracing_config(make_settings("postgresql://unused"))
    assert not plain.exporting, "nothing is traced or sent without an endpoint"
    jaeger = tracing_config(make_settings("postgresql://unused", OTEL_EXPORTER_OTLP_ENDPOINT="http://jaeger:4318",
                                          SEIKO_TRACE_SAMPLE_RATIO=0.25, OTEL_SERVICE_NAME="seiko-worker"))
    assert (jaeger.otlp_endpoint, jaeger.sample_ratio, jaeger.service_name) == \
        ("http://jaeger:4318", 0.25, "seiko-worker")
    keys = {"LANGFUSE_PUBLIC_KEY": "pk-lf-x", "LANGFUSE_SECRET_KEY": "sk-lf-y", "LANGFUSE_HOST": "http://lf:3000"}
    via_sdk = make_settings("postgresql://unused", **keys)
    assert tracing_config(via_sdk).langfuse is None
    tracer = build_tracer(via_sdk)
    assert isinstance(tracer, LangfuseTracer)
    tracer.shutdown()
    via_otlp = make_settings("postgresql://unused", SEIKO_LANGFUSE_OTLP=True, **keys)
    assert tracing_config(via_otlp).langfuse == LangfuseOtlp("http://lf:3000", "pk-lf-x", "sk-lf-y")
    assert isinstance(build_tracer(via_otlp), NullTracer), "never both paths: Langfuse would count calls twice"


def test_the_span_tree_hides_sql_reads_and_hangs_their_children_on_the_nearest_shown_span() -> None:
    def span(name: str, span_id: str, parent: str | None, start: int, **attributes: Any) -> SpanView:
        return SpanView(name=name, trace_id="ab" * 16, span_id=span_id, parent_id=parent, start_ns=start,
                        end_ns=start + 2_000_000, attributes=attributes)

    tree = render([
        span("invoke_agent stock", "01", None, 0, **{"seiko.outcome": "completed"}),
        span("seiko", "02", "01", 1, **{"db.system": "postgresql", "db.statement": "SELECT 1"}),
        span("execute_tool lookup", "03", "02", 2, **{"gen_ai.tool.name": "lookup"}),
        span("seiko", "04", "03", 3, **{"db.system": "postgresql", "db.statement": "INSERT INTO reorder_proposals"}),
    ])
    assert tree.splitlines() == [
        "trace " + "ab" * 16,
        "  invoke_agent stock (2.0 ms) seiko.outcome=completed",
        "    execute_tool lookup (2.0 ms)",
        "      SQL INSERT INTO reorder_proposals (2.0 ms)",
    ]
