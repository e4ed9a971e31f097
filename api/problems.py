"""RFC 9457 problem+json responses, and the one place that maps errors to HTTP."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import psycopg
import structlog
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.messages import field_name, human
from api.page_errors import LoginRequired, PageForbidden
from api.templating import templates
from common.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    UpstreamFailure,
)
from db.health import DatabaseHealth, DatabaseUnavailable, means_database_gone

PROBLEM_JSON = "application/problem+json"
_log = structlog.get_logger(component="api.errors")

_STATUS_BY_KIND: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (Unauthorized, 401),
    (Forbidden, 403),
    (BadRequest, 400),
    (TooManyRequests, 429),
    (UpstreamFailure, 502),
    (Unavailable, 503),
]

_CODE_BY_STATUS = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited", 500: "internal_error",
    502: "upstream_failure", 503: "unavailable",
}


# Problem details often quote the caller's input (an unknown reference, a bad filter). Quoting is
# capped: a 20,000-character reference must not come back twice at full length in every 404.
MAX_DETAIL_CHARS = 300
MAX_EXTRA_CHARS = 120


def _capped(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def problem(
    status: int, *, code: str | None = None, detail: str = "", title: str | None = None,
    headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://seiko-store.example/problems/{(code or _CODE_BY_STATUS.get(status, 'error'))}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": _capped(detail or HTTPStatus(status).description, MAX_DETAIL_CHARS),
        "code": code or _CODE_BY_STATUS.get(status, "error"),
    }
    # Extension members say more about the error; they never replace the standard ones.
    body.update({k: _capped(v, MAX_EXTRA_CHARS) if isinstance(v, str) else v
                 for k, v in (extra or {}).items() if k not in body})
    # No X-Correlation-ID here: the correlation middleware adds it to every response, errors included.
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_for(error: DomainError) -> int:
    for kind, status in _STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 400


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    if wants_page(request):
        return error_page(request, status, detail=exc.detail)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if isinstance(exc, Unavailable):
        headers["Retry-After"] = str(exc.retry_after_s)
    if status == 429 and "retry_after" in exc.extra:
        headers["Retry-After"] = str(exc.extra["retry_after"])
    return problem(status, code=exc.code, title=exc.title, detail=exc.detail, headers=headers, extra=exc.extra)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if wants_page(request):
        return error_page(request, exc.status_code, detail=_PAGE_DETAIL.get(exc.status_code, str(exc.detail)))
    return problem(exc.status_code, detail=str(exc.detail), headers=dict(exc.headers or {}))


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": human(e), "type": e.get("type", "")} for e in exc.errors()
    ]
    if wants_page(request):
        lines = [f"{field_name(e).capitalize()}: {human(e)}" for e in exc.errors()]
        return error_page(request, 422, detail="Some of the choices in the address bar cannot be used.",
                          problems=lines)
    broken_json = any(e["type"] == "json_invalid" for e in errors)
    return problem(
        400 if broken_json else 422,
        code="malformed_json" if broken_json else "validation_error",
        title="Malformed JSON" if broken_json else "Validation failed",
        detail="The request body is not valid JSON" if broken_json else "The request did not pass validation",
        extra={"errors": errors},
    )


def _database_unavailable(request: Request) -> JSONResponse:
    health: DatabaseHealth | None = getattr(request.app.state, "db_health", None)
    if health is not None:
        health.mark_down()
    return problem(503, code="database_unavailable", title="Database unavailable",
                   detail="The database is not reachable; retry shortly", headers={"Retry-After": "2"})


async def _database(request: Request, exc: Exception) -> JSONResponse:
    """DatabaseUnavailable, a pool timeout, or a psycopg error that means the server went away; any
    other database error is a bug, answered as one."""
    if isinstance(exc, DatabaseUnavailable | PoolTimeout) or means_database_gone(exc):
        return _database_unavailable(request)
    _log.error("database_error", error=type(exc).__name__, exc_info=exc)
    return problem(500, detail="An unexpected error occurred; it has been logged")


async def _unhandled(request: Request, exc: Exception) -> Response:
    _log.exception("unhandled_error", error=type(exc).__name__)
    if wants_page(request):
        return error_page(request, 500, detail="Something went wrong on our side; it has been logged.")
    # Starlette answers unhandled errors from outside every middleware, the correlation one included,
    # so this response is the one that must carry the id itself.
    cid = correlation_id.get()
    return problem(500, detail="An unexpected error occurred; it has been logged",
                   headers={"X-Correlation-ID": cid} if cid else None)


# Paths that answer machines: problem+json there, whatever the Accept header says.
_MACHINE_PREFIXES = ("/api/", "/openapi.json", "/docs", "/health", "/ready", "/metrics", "/static/", "/mcp",
                     "/graphql")
_PAGE_DETAIL = {404: "There is no page at this address.", 405: "This page cannot be used that way."}
_PAGE_TITLE = {404: "Page not found", 422: "That did not work", 500: "Sorry, something broke"}


def wants_page(request: Request) -> bool:
    """A person's browser asking for a page: the storefront and ops pages answer errors in HTML."""
    path = request.url.path
    return request.method in ("GET", "HEAD") and not path.startswith(_MACHINE_PREFIXES)


def error_page(request: Request, status: int, *, detail: str, problems: list[str] | None = None) -> HTMLResponse:
    title = _PAGE_TITLE.get(status, HTTPStatus(status).phrase)
    return templates.TemplateResponse(request, "error.html", {
        "user": None, "cart_count": 0, "query": None, "status": status, "title": title,
        "detail": _capped(detail, MAX_DETAIL_CHARS),
        "problems": problems or []}, status_code=status)


async def _login_required(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/account/login?{urlencode({'next': exc.extra['next']})}", status_code=303)


async def _page_forbidden(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, PageForbidden)
    return templates.TemplateResponse(request, "forbidden.html", {"detail": exc.detail, "user": None},
                                      status_code=403)


def install_error_handlers(app: FastAPI) -> None:
    # Pages answer browsers: a redirect to sign in, or an HTML page; everything else is problem+json.
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PageForbidden, _page_forbidden)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    for database_error in (DatabaseUnavailable, PoolTimeout, psycopg.OperationalError):
        app.add_exception_handler(database_error, _database)
    app.add_exception_handler(Exception, _unhandled)
