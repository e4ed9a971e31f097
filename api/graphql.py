"""GraphQL at `/graphql`: the schema lives in graphql_api; this wires in the request's connection and
caller. Like the MCP endpoints it reads only a bearer token, never the session cookie (no CSRF token
is asked for here), and a bad token is the API's 401 problem."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from strawberry.fastapi import GraphQLRouter

from api.deps import ConnDep, CurrencyRatesDep, EmbedderDep, Public, bearer_principal
from graphql_api.context import CONTEXT_KEY, StoreContext
from graphql_api.schema import SCHEMA

PATH = "/graphql"
# Strawberry adds a WebSocket route beside its HTTP ones (for subscriptions, which this schema has none
# of); the authorization-matrix test reads the rule of that route here. Queries are open to anyone;
# `myOrders` answers only for the bearer token's own customer.
ACCESS: dict[str, str] = {PATH: "public"}


async def _context(request: Request, conn: ConnDep, embedder: EmbedderDep,
                   rates: CurrencyRatesDep) -> dict[str, Any]:
    principal = await bearer_principal(request)
    return {CONTEXT_KEY: StoreContext(conn=conn, principal=principal, embedder=embedder, rates=rates)}


def graphql_router() -> GraphQLRouter[dict[str, Any], None]:
    # No GraphiQL: it loads its scripts from a CDN, which the store's content security policy refuses.
    return GraphQLRouter(SCHEMA, graphql_ide=None, context_getter=_context, dependencies=[Public],
                         tags=["graphql"])
