"""The MCP servers on the store's own port: `/mcp` (storefront) and `/mcp/ops` (ops role).

The bearer token is checked here, before a message reaches the MCP transport, with the same lookup the
HTTP API uses; a refused caller gets the API's problem+json 401 or 403, not an MCP error. The
transports run stateless with JSON answers: every request carries its own token and is authorized on
its own, and any replica can answer any request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from agent.services import AgentServices
from api.deps import bearer_principal
from common.errors import Forbidden, Unauthorized
from mcp_server.caller import OPS_SCOPE_KEY, STOREFRONT_SCOPE_KEY, OpsCaller, StorefrontCaller
from mcp_server.ops import build_ops
from mcp_server.storefront import build_storefront

STOREFRONT_PATH = "/mcp"
OPS_PATH = "/mcp/ops"
# The SDK's DNS-rebinding guard protects servers on a developer's loopback that trust any local caller.
# Here nothing is granted without a bearer token (cookies are never read), and the store is served under
# its own public host names, so the guard's host allow-list would only refuse real clients.
_NO_HOST_CHECK = TransportSecuritySettings(enable_dns_rebinding_protection=False)
# The access rule of each endpoint, in the terms of api.deps.ACCESS_RULES (the authorization-matrix test
# reads it: these are plain ASGI routes, with no FastAPI dependency to declare a rule on). The storefront
# is public; its customer tools answer only for the bearer token's own customer.
ACCESS: dict[str, str] = {STOREFRONT_PATH: "public", OPS_PATH: "ops"}


def _transport(server: MCPServer[Any]) -> StreamableHTTPSessionManager:
    server.streamable_http_app(stateless_http=True, json_response=True, transport_security=_NO_HOST_CHECK)
    return server.session_manager


class StorefrontEndpoint:
    """Anyone may call the catalog tools; a valid bearer token adds the customer's own cart and orders."""

    def __init__(self, manager: StreamableHTTPSessionManager) -> None:
        self._transport = StreamableHTTPASGIApp(manager)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        state = request.app.state
        scope[STOREFRONT_SCOPE_KEY] = StorefrontCaller(
            principal=await bearer_principal(request), pool=state.pool, embedder=state.embedder,
            rates=state.currency_rates)
        await self._transport(scope, receive, send)


class OpsEndpoint:
    """Staff only: no token is 401, a customer's token is 403, before any MCP message is read."""

    def __init__(self, manager: StreamableHTTPSessionManager) -> None:
        self._transport = StreamableHTTPASGIApp(manager)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        principal = await bearer_principal(request)
        if principal is None:
            raise Unauthorized("Send a staff member's access token as `Authorization: Bearer <token>`")
        if not principal.is_staff:
            raise Forbidden("The ops MCP server needs the ops or admin role")
        agents: AgentServices = request.app.state.agents
        scope[OPS_SCOPE_KEY] = OpsCaller(principal=principal, pool=agents.pool, policy=agents.policy)
        await self._transport(scope, receive, send)


class McpServers:
    """Both servers, their routes, and the session managers the app's lifespan must run."""

    def __init__(self) -> None:
        self.storefront = _transport(build_storefront())
        self.ops = _transport(build_ops())

    def install(self, app: FastAPI) -> None:
        # Plain routes at the exact paths (a mount would answer /mcp with a redirect to /mcp/).
        app.router.routes.append(Route(OPS_PATH, OpsEndpoint(self.ops), include_in_schema=False))
        app.router.routes.append(Route(STOREFRONT_PATH, StorefrontEndpoint(self.storefront), include_in_schema=False))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Runs the session managers in a task of their own. Their anyio task groups must be left in
        the task that entered them, and a lifespan is not always entered and left in one task (an
        async test fixture sets up and tears down in different ones)."""
        started, stopping = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with AsyncExitStack() as stack:
                for manager in (self.storefront, self.ops):
                    await stack.enter_async_context(manager.run())
                started.set()
                await stopping.wait()

        holder = asyncio.create_task(hold(), name="mcp-session-managers")
        waiting = asyncio.create_task(started.wait())
        await asyncio.wait({holder, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if holder.done():  # it failed to start: say why, here
            waiting.cancel()
            holder.result()
        try:
            yield
        finally:
            stopping.set()
            await holder
