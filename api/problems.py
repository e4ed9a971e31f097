"""RFC 9457 problem+json responses, and the one place that maps errors to HTTP."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import structlog
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.messages import field_name, human
from api.page_errors import LoginRequired, PageForbidden
from api.templating import templates
from commerce.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
    UpstreamFailure,
)

PROBLEM_JSON = "application/problem+json"
_log = structlog.get_logger(component="api.errors")

_STATUS_BY_KIND: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (Unauthorized, 401),
    (Forbidden, 403),
    (BadRequest, 400),
    (UpstreamFailure, 502),
]

_CODE_BY_STATUS = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited", 500: "internal_error",
    502: "upstream_failure", 503: "unavailable",
}


def problem(
    status: int, *, code: str | None = None, detail: str = "", title: str | None = None,
    headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://seiko-store.example/problems/{(code or _CODE_BY_STATUS.get(status, 'error'))}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).description,
        "code": code or _CODE_BY_STATUS.get(status, "error"),
    }
    # Extension members say more about the error; they never replace the standard ones.
    body.update({k: v for k, v in (extra or {}).items() if k not in body})
    cid = correlation_id.get()
    merged = {**(headers or {}), **({"X-Correlation-ID": cid} if cid else {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=merged)


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
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
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


async def _unhandled(request: Request, exc: Exception) -> Response:
    _log.exception("unhandled_error", error=type(exc).__name__)
    if wants_page(request):
        return error_page(request, 500, detail="Something went wrong on our side; it has been logged.")
    return problem(500, detail="An unexpected error occurred; it has been logged")


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
        "user": None, "cart_count": 0, "query": None, "status": status, "title": title, "detail": detail,
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
    app.add_exception_handler(Exception, _unhandled)
