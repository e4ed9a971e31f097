"""What the provider fakes share: serving a handler on a free loopback port, and scripted faults."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, TypeVar

R = TypeVar("R")


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: dict[str, Any]

    @property
    def api_key(self) -> str | None:
        """The key as sent: `x-api-key`, or (as anthropic>=2 sends it) `Authorization: Bearer <key>`."""
        if self.headers.get("x-api-key"):
            return self.headers["x-api-key"]
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" and token else None


@dataclass
class ScriptedFake(Generic[R]):
    """A fake's state: the queue of scripted replies and every request received, behind one lock."""

    CHAT_PATH: ClassVar[str]  # the endpoint whose bodies `bodies` lists
    url: str = ""
    replies: list[R] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    stall_seconds: float = 3.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, *replies: R) -> None:
        with self._lock:
            self.replies.extend(replies)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r.body for r in self.requests if r.path == self.CHAT_PATH]

    @property
    def last_body(self) -> dict[str, Any]:
        return self.bodies[-1]

    def take(self, request: RecordedRequest, default: R) -> R:
        """Record `request` and hand out the next scripted reply (`default` when none is left)."""
        with self._lock:
            self.requests.append(request)
            return self.replies.pop(0) if self.replies else default


class FakeHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, quiet, and every method goes to `_serve(method)`."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between header and body writes

    def _serve(self, method: str) -> None:
        raise NotImplementedError

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` in a thread on 127.0.0.1 (a free port); yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # A short poll interval: shutdown() waits for the next poll, and tests start many servers.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class FaultField:
    """`Reply.fault("529")` builds a faulting reply; `reply.fault` is that reply's fault (or None)."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = allowed

    def __get__(self, instance: Any, owner: type) -> Any:
        if instance is None:
            return lambda kind, **kw: owner(fault=kind, **kw)
        return instance.__dict__.get("_fault")

    def __set__(self, instance: Any, value: str | None) -> None:
        if value is not None and value not in self.allowed:
            raise ValueError(f"unknown fault {value!r}; expected one of {self.allowed}")
        instance.__dict__["_fault"] = value
