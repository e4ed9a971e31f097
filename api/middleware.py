"""Pure ASGI middleware: security headers, a body-size limit, NUL refusal, a per-IP rate limit, request logs."""

from __future__ import annotations

import re
import time
from typing import Any

import structlog
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline'{stripe_script}; frame-ancestors 'none'{stripe_extra}")
# Stripe Elements loads its script and card frames from Stripe, and talks to Stripe's API; only allowed
# when Stripe is the active provider.
_STRIPE_CSP = {"stripe_script": " https://js.stripe.com",
               "stripe_extra": "; frame-src https://js.stripe.com https://hooks.stripe.com; "
                               "connect-src 'self' https://api.stripe.com"}
_UNLIMITED_PATHS = ("/health", "/ready")


# Responses that carry tokens or account data are never stored by a browser or a shared cache.
_NO_STORE_PREFIXES = ("/api/v1/auth/", "/account/")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False, stripe_js: bool = False) -> None:
        self.app = app
        csp = _CSP.format(**(_STRIPE_CSP if stripe_js else {"stripe_script": "", "stripe_extra": ""}))
        self.headers = [*_SECURITY_HEADERS, (b"content-security-policy", csp.encode())]
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = self.headers
        if scope["path"].startswith(_NO_STORE_PREFIXES):
            extra = [*self.headers, (b"cache-control", b"no-store")]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in extra if k not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Refuse bodies over `max_bytes` with 413, by Content-Length or while reading (chunked).

    The body is read up front (it is small by definition) so that an oversized stream is refused
    before the application parses any of it; the app then receives the buffered body."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"Request bodies are limited to {self.max_bytes} bytes"
        response = problem(413, code="payload_too_large", detail=detail)
        await response(scope, receive, send)


# A JSON `\u0000` escape is one preceded by an even number of backslashes (`\\u0000` is a backslash
# and the text "u0000"); outside strings JSON has no backslashes at all.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM_NUL = re.compile(rb"%00")


class NulRefusalMiddleware:
    """Refuse NUL characters anywhere in a request with 422 `nul_character`, before any route runs.

    PostgreSQL text cannot hold NUL, so one in an id, a filter, a header or a body field would
    otherwise surface as a 500 from deep inside a query. Checked: the path (decoded), the query
    string (raw or percent-encoded), header values, and bodies (raw bytes, JSON `\u0000` escapes,
    percent-encoded form fields). Runs inside the body-size limit, so the body is already buffered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = self._in_head(scope)
        if where is None and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            body, receive = await _buffered(receive)
            if body is not None and _body_has_nul(body, _content_type(scope)):
                where = "the request body"
        if where is not None:
            response = problem(422, code="nul_character", title="NUL character refused",
                               detail=f"NUL characters (U+0000) are not accepted in {where}")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _in_head(scope: Scope) -> str | None:
        if "\x00" in scope["path"] or b"\x00" in scope.get("raw_path", b""):
            return "the path"
        query: bytes = scope.get("query_string", b"")
        if b"\x00" in query or _FORM_NUL.search(query):
            return "the query string"
        if any(b"\x00" in value for _, value in scope.get("headers", [])):
            return "a header"
        return None


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return bytes(value).split(b";", 1)[0].strip().lower()
    return b""


def _body_has_nul(body: bytes, content_type: bytes) -> bool:
    if b"\x00" in body:  # raw, in any body (no route takes binary uploads)
        return True
    if content_type == b"application/x-www-form-urlencoded":
        return bool(_FORM_NUL.search(body))
    return content_type != b"multipart/form-data" and bool(_JSON_NUL.search(body))


async def _buffered(receive: Receive) -> tuple[bytes | None, Receive]:
    """The whole body, and a receive that replays it (None when the client went away)."""
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None, receive
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimitMiddleware:
    """A sliding-window limit per client IP over every route but the probes.

    The sliding-window counter keeps two counters per IP; a moving window would keep one entry per
    request (and prepend to that list on every hit), which grows with the limit."""

    def __init__(self, app: ASGIApp, *, limit: str, storage: MemoryStorage | None = None) -> None:
        self.app = app
        self.item: RateLimitItem = parse(limit)
        self.limiter = SlidingWindowCounterRateLimiter(storage or MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        ip = client_ip(scope)
        if not self.limiter.hit(self.item, "ip", ip):
            reset, _ = self.limiter.get_window_stats(self.item, "ip", ip)
            retry = max(1, int(reset - time.time()))
            response = problem(429, code="rate_limited", detail="Too many requests; slow down",
                               headers={"Retry-After": str(retry)})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RequestLogMiddleware:
    """One JSON log line per request (the correlation id is bound by the logging processors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger(component="api.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                # int(): some apps (the MCP SDK) send an HTTPStatus, which a console log shows as its repr.
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.log.info(
                "request", method=scope["method"], path=scope["path"], status=status["code"],
                duration_ms=round((time.perf_counter() - started) * 1000, 2), client=client_ip(scope),
            )
