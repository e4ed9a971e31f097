"""GET /metrics on a port of its own (SEIKO_METRICS_PORT), never on the store's port.

A small WSGI server in a daemon thread (prometheus_client's own exposition), so scrapes neither
compete with shoppers for the event loop nor wait for it, and cost no database work: the gauges that
mirror database state are refreshed on a schedule (app/gauges.py), not per scrape. With a token set,
only `Authorization: Bearer <token>` is answered."""

from __future__ import annotations

import hmac
import json
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

PATH = "/metrics"
_PROBLEM = "application/problem+json"
StartResponse = Any
Environ = dict[str, Any]


def bearer_matches(authorization: str | None, token: str | None) -> bool:
    """True without a token; otherwise only for `Bearer <token>` (compared in constant time)."""
    if token is None:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _problem(start_response: StartResponse, status: int, phrase: str, code: str, detail: str,
             extra_headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    body = json.dumps({"type": f"https://seiko-store.example/problems/{code}", "title": phrase, "status": status,
                       "detail": detail, "code": code}).encode()
    start_response(f"{status} {phrase}", [("Content-Type", _PROBLEM), ("Content-Length", str(len(body))),
                                          *(extra_headers or [])])
    return [body]


def metrics_app(token: str | None, registry: CollectorRegistry = REGISTRY) -> Any:
    """The WSGI app: /metrics (behind the bearer token when one is set), 404 for anything else."""
    exposition = make_wsgi_app(registry)

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return _problem(start_response, 404, "Not Found", "not_found", "Only /metrics is served here")
        if not bearer_matches(environ.get("HTTP_AUTHORIZATION"), token):
            return _problem(start_response, 401, "Unauthorized", "unauthorized", "A valid bearer token is required",
                            [("WWW-Authenticate", "Bearer")])
        result: Iterable[bytes] = exposition(environ, start_response)
        return result

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every few seconds would drown the store's own logs."""


@dataclass
class MetricsServer:
    server: ThreadingWSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_metrics_server(host: str, port: int, *, token: str | None,
                         registry: CollectorRegistry = REGISTRY) -> MetricsServer:
    """Listen on host:port (port 0: the kernel picks) and serve /metrics from a daemon thread."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    server_class = type("MetricsWSGIServer", (ThreadingWSGIServer,), {"address_family": family})  # IPv6 hosts too
    server: ThreadingWSGIServer = make_server(host, port, metrics_app(token, registry), server_class,
                                              handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True)
    thread.start()
    return MetricsServer(server, thread)
