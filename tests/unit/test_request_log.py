"""The access log's status is a plain number, whatever type the app put in its response start."""

from __future__ import annotations

from http import HTTPStatus

from starlette.types import Message, Receive, Scope, Send
from structlog.testing import capture_logs

from api.middleware import RequestLogMiddleware


async def test_an_enum_status_is_logged_as_its_number() -> None:
    # The MCP SDK starts its responses with `HTTPStatus.OK`; a console log then showed `<HTTPStatus.OK: 200>`.
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": HTTPStatus.OK, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    scope = {"type": "http", "method": "POST", "path": "/mcp", "headers": [], "client": ("127.0.0.1", 1)}
    with capture_logs() as logs:
        await RequestLogMiddleware(app)(scope, receive, send)
    (line,) = [entry for entry in logs if entry["event"] == "request"]
    assert type(line["status"]) is int and line["status"] == 200
