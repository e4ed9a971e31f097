"""A local server that speaks Ollama's chat API (POST /api/chat, GET /api/tags, GET /api/version), for the
real `ollama` SDK.

Answers are scripted: `OllamaFake.replies` is a queue of `Reply` objects, each a text and/or tool calls
with the token counts, or a fault: `"500"` (an internal error), `"404"` (`model '<name>' not found`) or
`"timeout"` (stalls `stall_seconds` before answering, past the client's timeout). An empty queue answers
the text "ok". `"stream": false` gets one JSON object; otherwise (Ollama's default) the answer is NDJSON:
partial messages with `"done": false`, then a final line with `"done": true`, `done_reason` and the counts.
Every request is recorded with its parsed JSON body and (lower-cased) headers.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from tests.fakes._loopback import FakeHandler, FaultField, RecordedRequest, ScriptedFake, serving

FAULTS = ("500", "404", "timeout")


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    prompt_eval_count: int = 26
    eval_count: int = 9
    done_reason: str = "stop"
    fault: str | None = None

    @classmethod
    def text_reply(cls, text: str, **kw: Any) -> Reply:
        return cls(text=text, **kw)

    @classmethod
    def tool_use(cls, name: str, arguments: dict[str, Any], *, text: str = "", **kw: Any) -> Reply:
        return cls(text=text, tool_calls=[(name, arguments)], **kw)

    @classmethod
    def tools(cls, *calls: tuple[str, dict[str, Any]], text: str = "", **kw: Any) -> Reply:
        return cls(text=text, tool_calls=list(calls), **kw)


Reply.fault = FaultField(FAULTS)  # type: ignore[assignment]


@dataclass
class OllamaFake(ScriptedFake[Reply]):
    CHAT_PATH: ClassVar[str] = "/api/chat"
    models: list[str] = field(default_factory=lambda: ["llama3.2:3b"])
    version: str = "0.6.8"

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def next_reply(self, request: RecordedRequest) -> Reply:
        return self.take(request, Reply.text_reply("ok"))

    def tags(self) -> dict[str, Any]:
        return {"models": [{
            "name": name, "model": name, "modified_at": _now(), "size": 2_019_393_189,
            "digest": hashlib.sha256(name.encode()).hexdigest(),
            "details": {"parent_model": "", "format": "gguf", "family": "llama", "families": ["llama"],
                        "parameter_size": "3.2B", "quantization_level": "Q4_K_M"},
        } for name in self.models]}

    def final(self, reply: Reply, model: str, message: dict[str, Any]) -> dict[str, Any]:
        load_ns = 5_000_000
        prompt_ns = 40_000_000 + reply.prompt_eval_count * 1_000
        eval_ns = reply.eval_count * 20_000_000
        return {"model": model, "created_at": _now(), "message": message, "done": True,
                "done_reason": reply.done_reason, "total_duration": prompt_ns + eval_ns + load_ns,
                "load_duration": load_ns, "prompt_eval_count": reply.prompt_eval_count,
                "prompt_eval_duration": prompt_ns, "eval_count": reply.eval_count, "eval_duration": eval_ns}

    def answer(self, reply: Reply, model: str) -> dict[str, Any]:
        return self.final(reply, model, _message(reply.text, reply.tool_calls))

    def lines(self, reply: Reply, model: str) -> Iterator[dict[str, Any]]:
        """The NDJSON lines of a streamed answer: text pieces, the tool calls, then the final counts."""
        for piece in re.findall(r"\s*\S+\s*|\s+", reply.text):
            yield {"model": model, "created_at": _now(), "message": _message(piece, []), "done": False}
        if reply.tool_calls:
            yield {"model": model, "created_at": _now(), "message": _message("", reply.tool_calls), "done": False}
        yield self.final(reply, model, _message("", []))


def _message(text: str, tool_calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if tool_calls:
        message["tool_calls"] = [{"function": {"name": name, "arguments": arguments}} for name, arguments in tool_calls]
    return message


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _handler(fake: OllamaFake) -> type[FakeHandler]:
    class Handler(FakeHandler):
        def _json(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _ndjson(self, lines: Iterator[dict[str, Any]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for line in lines:
                chunk = json.dumps(line).encode() + b"\n"
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
                if method == "GET" and path == "/api/version":
                    fake.record(request)
                    self._json(200, {"version": fake.version})
                elif method == "GET" and path == "/api/tags":
                    fake.record(request)
                    self._json(200, fake.tags())
                elif method == "POST" and path == "/api/chat":
                    self._chat(request)
                elif method == "GET" and path == "/":
                    fake.record(request)
                    payload = b"Ollama is running"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                else:
                    fake.record(request)
                    self._json(404, {"error": f"404 page not found: {method} {path}"})
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a scripted timeout)

        def _chat(self, request: RecordedRequest) -> None:
            reply = fake.next_reply(request)
            model = str(request.body.get("model", ""))
            if reply.fault == "timeout":
                time.sleep(fake.stall_seconds)
            if reply.fault == "500":
                self._json(500, {"error": "llama runner process has terminated: exit status 2"})
            elif reply.fault == "404":
                self._json(404, {"error": f"model '{model}' not found"})
            elif request.body.get("stream", True):
                self._ndjson(fake.lines(reply, model))
            else:
                self._json(200, fake.answer(reply, model))


    return Handler


@contextmanager
def running_ollama_fake(stall_seconds: float = 3.0) -> Iterator[OllamaFake]:
    fake = OllamaFake(stall_seconds=stall_seconds)
    with serving(_handler(fake)) as url:
        fake.url = url
        yield fake
