"""The official MCP client against a live server, as other agents use it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult


@asynccontextmanager
async def mcp_session(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[ClientSession]:
    async with httpx2.AsyncClient(headers=headers or {}, timeout=60) as http, \
            streamable_http_client(url, http_client=http) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def data(result: CallToolResult) -> Any:
    """A successful call's structured result."""
    assert not result.is_error, result.content
    return result.structured_content


def refusal(result: CallToolResult) -> str:
    """A refused call's message (the text the calling model reads)."""
    assert result.is_error
    return " ".join(getattr(c, "text", "") for c in result.content)
