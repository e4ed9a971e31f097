"""What the provider fakes share: serving a handler on a free loopback port, and scripted faults."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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
