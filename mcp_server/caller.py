"""What a tool call knows about its caller and collaborators, carried on the HTTP request's scope."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import structlog
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from commerce.customers.models import Principal
from commerce.replenishment.models import ReorderPolicy
from common.errors import DomainError
from db.pool import Pool
from rag.embedder import Embedder

# The scope keys the HTTP layer fills in before a message reaches the MCP transport.
STOREFRONT_SCOPE_KEY = "seiko.mcp.storefront"
OPS_SCOPE_KEY = "seiko.mcp.ops"

_log = structlog.get_logger(component="mcp_server")


@dataclass(frozen=True)
class StorefrontCaller:
    """An anonymous shopper (principal None) or a signed-in customer, with the store's pool."""

    principal: Principal | None
    pool: Pool
    embedder: Embedder | None
    rates: Mapping[str, Decimal]


@dataclass(frozen=True)
class OpsCaller:
    """A caller already checked to hold the ops or admin role. `pool` is the AI share of the database:
    another agent's tool calls are AI work, kept off the store's own connections."""

    principal: Principal
    pool: Pool
    policy: ReorderPolicy


def _scope(ctx: Context[Any, Any]) -> Mapping[str, Any]:
    request = ctx.request_context.request
    scope: Mapping[str, Any] | None = getattr(request, "scope", None)
    if scope is None:  # only the HTTP transport is served; stdio has no authenticated caller
        raise ToolError("This tool is only served over HTTP")
    return scope


def storefront_caller(ctx: Context[Any, Any]) -> StorefrontCaller:
    caller: StorefrontCaller = _scope(ctx)[STOREFRONT_SCOPE_KEY]
    return caller


def ops_caller(ctx: Context[Any, Any]) -> OpsCaller:
    """The checked ops caller. A request that reached the ops server without one is refused here too,
    so a wiring mistake fails closed."""
    caller: OpsCaller | None = _scope(ctx).get(OPS_SCOPE_KEY)
    if caller is None or not caller.principal.is_staff:
        raise ToolError("This tool needs the ops role")
    return caller


@contextmanager
def tool_errors(tool: str) -> Iterator[None]:
    """Domain errors become tool errors the client can read, with their stable code. Anything else is
    left to the SDK, which logs it and tells the client only "Error executing tool <name>" (no SQL, no
    stack, no connection strings)."""
    try:
        yield
    except DomainError as exc:
        _log.info("mcp_tool_refused", tool=tool, code=exc.code)
        raise ToolError(f"{exc.code}: {exc.detail}") from exc
