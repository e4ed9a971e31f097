"""RED metrics per route template (never the raw path), as a pure ASGI middleware.

The matched route's template is looked up in a table built once from the app's flattened routes,
so labelling costs a dict lookup instead of re-matching the path against every route."""

from __future__ import annotations

import time

from fastapi.routing import iter_route_contexts
from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("http_requests_total", "HTTP requests by method, route template and status",
                   ["method", "handler", "status"])
DURATION = Histogram("http_request_duration_seconds", "HTTP request latency by method and route template",
                     ["method", "handler"],
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
IN_PROGRESS = Gauge("http_requests_in_progress", "HTTP requests being served")

UNMATCHED = "unmatched"


class RedMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._templates: dict[int, str] | None = None
        self._static: set[str] = set()

    def _template(self, scope: Scope, status: int) -> str:
        if self._templates is None:
            contexts = list(iter_route_contexts(scope["app"].routes))
            self._templates = {id(c.original_route): str(c.path_format or c.path) for c in contexts}
            # Framework routes (OpenAPI, docs) carry no route in the scope; their paths are fixed.
            self._static = {str(c.path) for c in contexts if c.path and "{" not in str(c.path)}
        route = scope.get("route")
        if route is not None:
            return self._templates.get(id(route), UNMATCHED)
        if status != 404 and scope["path"] in self._static:
            return str(scope["path"])
        return UNMATCHED

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        IN_PROGRESS.inc()
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            IN_PROGRESS.dec()
            handler = self._template(scope, status)
            REQUESTS.labels(scope["method"], handler, str(status)).inc()
            DURATION.labels(scope["method"], handler).observe(time.perf_counter() - started)
