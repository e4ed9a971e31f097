"""A local server that speaks Anthropic's Messages API (POST /v1/messages), for the real `anthropic` SDK.

Answers are scripted: `AnthropicFake.replies` is a queue of `Reply` objects, each a text and/or tool_use
turn with its usage numbers (including the prompt-cache fields), or a fault: `"429"` (rate_limit_error
with a `retry-after` header), `"529"` (overloaded_error), `"500"` (api_error), `"timeout"` (stalls
`stall_seconds` before answering, past the client's timeout) or `"stream_error"` (a streamed answer that
breaks off with an `error` event after `message_start`, as the real API does when it overloads mid-stream).
An empty queue answers the text "ok".

Requests with `"stream": true` are answered with server-sent events in the real order: message_start,
ping, then per block content_block_start / content_block_delta (text_delta, or input_json_delta carrying
the tool input in `partial_json` pieces) / content_block_stop, then message_delta and message_stop. Every
request is recorded with its parsed JSON body and (lower-cased) headers.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tests.fakes._loopback import FakeHandler, FaultField, RecordedRequest, ScriptedFake, serving

FAULTS = ("429", "529", "500", "timeout", "stream_error")
HOLD_LIMIT_S = 20.0


@dataclass
class Reply:
    text: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    stop_reason: str | None = None  # None: "tool_use" when there are tool calls, else "end_turn"
    input_tokens: int = 12
    output_tokens: int = 7
    cache_write: int = 0  # usage.cache_creation_input_tokens
    cache_read: int = 0  # usage.cache_read_input_tokens
    fault: str | None = None
    retry_after: int = 1  # seconds, sent as `retry-after` on a "429"
    # A streamed answer can pause after `hold_after` text pieces until the test sets `release`, to show
    # that what was sent so far reached the client while the model was still "writing".
    hold_after: int | None = None
    release: threading.Event | None = None
    released: bool | None = None  # set by the fake: True when `release` came before HOLD_LIMIT_S

    @classmethod
    def text_reply(cls, text: str, **kw: Any) -> Reply:
        return cls(text=text, **kw)

    @classmethod
    def tool_use(cls, name: str, input: dict[str, Any], *, text: str | None = None, **kw: Any) -> Reply:
        return cls(text=text, tool_calls=[(name, input)], **kw)

    @classmethod
    def tools(cls, *calls: tuple[str, dict[str, Any]], text: str | None = None, **kw: Any) -> Reply:
        return cls(text=text, tool_calls=list(calls), **kw)

    @property
    def final_stop_reason(self) -> str:
        return self.stop_reason or ("tool_use" if self.tool_calls else "end_turn")


Reply.fault = FaultField(FAULTS)  # type: ignore[assignment]


@dataclass
class AnthropicFake(ScriptedFake[Reply]):
    CHAT_PATH: ClassVar[str] = "/v1/messages"
    latency_s: float = 0.0  # a fixed model latency before every answer (benchmarks)
    pace_s: float = 0.0  # a pause after each streamed word, as a model writes (benchmarks)
    # A stalled model: while `gate` is set to an unset Event, every request waits for it (at most
    # HOLD_LIMIT_S) before answering, so a test can look at the store while model calls hang.
    gate: threading.Event | None = None
    arrivals: list[float] = field(default_factory=list)  # time.perf_counter() when each request arrived
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_reply(self, request: RecordedRequest) -> Reply:
        self.arrivals.append(time.perf_counter())
        if self.gate is not None:
            self.gate.wait(HOLD_LIMIT_S)
        reply = self.take(request, Reply.text_reply("ok"))
        if self.latency_s:
            time.sleep(self.latency_s)
        return reply

    def next_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}_fake{next(self._ids):06d}"

    def message(self, reply: Reply, model: str) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        if reply.text is not None:
            content.append({"type": "text", "text": reply.text})
        for name, tool_input in reply.tool_calls:
            content.append({"type": "tool_use", "id": self.next_id("toolu"), "name": name, "input": tool_input})
        return {
            "id": self.next_id("msg"), "type": "message", "role": "assistant", "model": model,
            "content": content, "stop_reason": reply.final_stop_reason, "stop_sequence": None,
            "usage": _usage(reply, reply.output_tokens),
        }

    def events(self, reply: Reply, model: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The SSE events (type, data) of a streamed answer."""
        message = self.message(reply, model)
        blocks = message["content"]
        yield "message_start", {"type": "message_start", "message": {
            **message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": _usage(reply, 1)}}
        if reply.fault == "stream_error":
            yield "error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
            return
        yield "ping", {"type": "ping"}
        for index, block in enumerate(blocks):
            if block["type"] == "text":
                yield "content_block_start", {"type": "content_block_start", "index": index,
                                              "content_block": {"type": "text", "text": ""}}
                for count, piece in enumerate(_text_pieces(block["text"]), start=1):
                    yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                                  "delta": {"type": "text_delta", "text": piece}}
                    if self.pace_s:
                        time.sleep(self.pace_s)
                    if reply.release is not None and count == reply.hold_after:
                        reply.released = reply.release.wait(HOLD_LIMIT_S)
            else:
                yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": {
                    "type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}
                for piece in ["", *_json_pieces(json.dumps(block["input"]))]:
                    yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                                  "delta": {"type": "input_json_delta", "partial_json": piece}}
            yield "content_block_stop", {"type": "content_block_stop", "index": index}
        yield "message_delta", {"type": "message_delta",
                                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                                "usage": {"output_tokens": reply.output_tokens}}
        yield "message_stop", {"type": "message_stop"}


def _usage(reply: Reply, output_tokens: int) -> dict[str, int]:
    return {"input_tokens": reply.input_tokens, "output_tokens": output_tokens,
            "cache_creation_input_tokens": reply.cache_write, "cache_read_input_tokens": reply.cache_read}


def _text_pieces(text: str) -> list[str]:
    return re.findall(r"\s*\S+\s*|\s+", text) or [""]


def _json_pieces(raw: str, size: int = 8) -> list[str]:
    return [raw[i:i + size] for i in range(0, len(raw), size)]


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


_FAULT_ANSWERS = {
    "429": (429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
    "529": (529, "overloaded_error", "Overloaded"),
    "500": (500, "api_error", "Internal server error"),
}


def _handler(fake: AnthropicFake) -> type[FakeHandler]:
    class Handler(FakeHandler):
        def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("request-id", f"req_fake_{len(fake.requests)}")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _sse(self, events: Iterator[tuple[str, dict[str, Any]]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("request-id", f"req_fake_{len(fake.requests)}")
            self.end_headers()
            for kind, data in events:
                chunk = f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode()
                self.wfile.write(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?")[0]
            try:
                body = json.loads(raw) if raw else {}
            except json.JSONDecodeError:
                body = {"_unparsed": raw.decode(errors="replace")}
            request = RecordedRequest(method, path, {k.lower(): v for k, v in self.headers.items()}, body)
            try:
                if method != "POST" or path != "/v1/messages":
                    with fake._lock:
                        fake.requests.append(request)
                    self._json(404, _error("not_found_error", f"Not found: {method} {path}"))
                    return
                if not request.api_key:
                    with fake._lock:
                        fake.requests.append(request)
                    self._json(401, _error("authentication_error", "x-api-key header is required"))
                    return
                reply = fake.next_reply(request)
                if reply.fault == "timeout":
                    time.sleep(fake.stall_seconds)
                if reply.fault in _FAULT_ANSWERS:
                    status, kind, message = _FAULT_ANSWERS[reply.fault]
                    extra = {"retry-after": str(reply.retry_after)} if reply.fault == "429" else {}
                    self._json(status, _error(kind, message), extra)
                    return
                model = str(body.get("model", "claude-fake"))
                if body.get("stream"):
                    self._sse(fake.events(reply, model))
                else:
                    self._json(200, fake.message(reply, model))
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a scripted timeout)


    return Handler


@contextmanager
def running_anthropic_fake(stall_seconds: float = 3.0) -> Iterator[AnthropicFake]:
    fake = AnthropicFake(stall_seconds=stall_seconds)
    with serving(_handler(fake)) as url:
        fake.url = url
        yield fake
