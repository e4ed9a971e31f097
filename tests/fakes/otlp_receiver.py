"""A loopback OTLP/HTTP trace receiver: it takes `POST /v1/traces` (or any path) with a protobuf
`ExportTraceServiceRequest`, decodes it with opentelemetry-proto, and keeps the spans as plain values,
with the headers each export came with. What a collector (Jaeger, Langfuse) would see on the wire."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from telemetry.tree import SpanView
from tests.fakes._loopback import FakeHandler, serving


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None


@dataclass(frozen=True)
class ReceivedSpan:
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    attributes: dict[str, Any]
    resource: dict[str, Any]
    scope: str
    status_code: int
    links: list[tuple[str, str]]
    start_ns: int = 0
    end_ns: int = 0

    def view(self) -> SpanView:
        return SpanView(name=self.name, trace_id=self.trace_id, span_id=self.span_id,
                        parent_id=self.parent_span_id or None, start_ns=self.start_ns, end_ns=self.end_ns,
                        attributes=self.attributes, linked_traces=tuple(t for t, _ in self.links))


@dataclass(frozen=True)
class Export:
    path: str
    headers: dict[str, str]
    spans: list[ReceivedSpan]


@dataclass
class OtlpReceiver:
    url: str = ""
    exports: list[Export] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def spans(self) -> list[ReceivedSpan]:
        with self._lock:
            return [span for export in self.exports for span in export.spans]

    def add(self, export: Export) -> None:
        with self._lock:
            self.exports.append(export)


def decode(body: bytes) -> list[ReceivedSpan]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for s in scope_spans.spans:
                spans.append(ReceivedSpan(
                    name=s.name, trace_id=s.trace_id.hex(), span_id=s.span_id.hex(),
                    parent_span_id=s.parent_span_id.hex(), kind=s.kind,
                    attributes={a.key: _value(a.value) for a in s.attributes}, resource=resource,
                    scope=scope_spans.scope.name, status_code=s.status.code,
                    links=[(link.trace_id.hex(), link.span_id.hex()) for link in s.links],
                    start_ns=s.start_time_unix_nano, end_ns=s.end_time_unix_nano))
    return spans


def _handler(receiver: OtlpReceiver) -> type[FakeHandler]:
    class Handler(FakeHandler):
        def _serve(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            headers = {k.lower(): v for k, v in self.headers.items()}
            if method == "GET" and self.path == "/spans":  # for a process that is not the receiver's own
                listing = json.dumps([asdict(span) for span in receiver.spans], default=str).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(listing)))
                self.end_headers()
                self.wfile.write(listing)
                return
            if method != "POST" or headers.get("content-type") != "application/x-protobuf":
                self.send_response(415)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            receiver.add(Export(self.path, headers, decode(body)))
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    return Handler


@contextmanager
def running_otlp_receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    with serving(_handler(receiver)) as url:
        receiver.url = url
        yield receiver


if __name__ == "__main__":
    # A receiver in a process of its own (a benchmark's load generator must not share its GIL): prints
    # its URL, serves until killed; GET /spans lists what it received.
    import signal
    import sys

    stops = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    with running_otlp_receiver() as running:
        print(running.url, flush=True)
        signal.sigwait(stops)
    sys.exit(0)
