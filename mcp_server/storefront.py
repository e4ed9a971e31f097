"""The storefront MCP server: the catalog, stock and policies for anyone; the cart and orders for the
signed-in customer whose bearer token came with the request, and nobody else's."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from commerce.cart import service as carts
from commerce.cart.models import CartOwner
from commerce.catalog import service as catalog
from commerce.customers.models import Principal
from commerce.orders import service as orders
from commerce.policies import service as policy_document
from mcp_server.caller import StorefrontCaller, storefront_caller, tool_errors
from rag.retriever import Mode
from rag.service import search_watches

INSTRUCTIONS = (
    "Seiko Watch Store. Search and compare watches, check live prices (USD, decimal strings) and stock, "
    "and read the store's policies. With a customer's bearer token: their cart and their own orders."
)
# Every storefront tool only reads: safe to call again, and its world is this store's database.
READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)

Reference = Annotated[str, Field(min_length=1, max_length=40, description="A Seiko reference, e.g. SRPD55K1")]
PolicyTopic = Literal["shipping", "returns", "warranty", "payment", "authenticity", "contact"]


def _signed_in(caller: StorefrontCaller) -> Principal:
    if caller.principal is None:
        raise ToolError("unauthorized: sign in and send the access token as `Authorization: Bearer <token>`")
    return caller.principal


def _normal(reference: str) -> str:
    return reference.strip().upper()


async def search_catalog(
    ctx: Context[Any, Any],
    query: Annotated[str, Field(min_length=1, max_length=300, description="What the shopper wants, in their words")],
    limit: Annotated[int, Field(ge=1, le=50)] = 10,
    mode: Literal["hybrid", "vector", "lexical"] = "hybrid",
) -> dict[str, Any]:
    """Search the catalog in plain language, exactly as GET /api/v1/search does: constraints such as
    price, size, water resistance and movement are read from the words (`filters`), exact matches come
    first, then near misses (`near_miss`), each result saying in `matched` why it was chosen."""
    caller = storefront_caller(ctx)
    with tool_errors("search_catalog"):
        async with caller.pool.connection() as conn:
            found = await search_watches(conn, embedder=caller.embedder, query=query.strip(), mode=Mode(mode),
                                         limit=limit, rates=caller.rates)
    return found.model_dump(mode="json")


async def get_watch(ctx: Context[Any, Any], reference: Reference) -> dict[str, Any]:
    """One watch in full: specifications, live price and stock, description, rating and reviews."""
    caller = storefront_caller(ctx)
    with tool_errors("get_watch"):
        async with caller.pool.connection() as conn:
            watch = await catalog.get_watch(conn, reference=_normal(reference))
    return watch.model_dump(mode="json")


async def compare_watches(
    ctx: Context[Any, Any],
    references: Annotated[list[Reference], Field(min_length=2, max_length=4)],
) -> dict[str, Any]:
    """Two to four watches side by side, with live prices and stock."""
    caller = storefront_caller(ctx)
    wanted = list(dict.fromkeys(_normal(r) for r in references))
    with tool_errors("compare_watches"):
        async with caller.pool.connection() as conn:
            found = await catalog.watches_by_references(conn, references=wanted)
    unknown = sorted(set(wanted) - {w.reference for w in found})
    if len(found) < 2:
        raise ToolError(f"watch_not_found: give at least two known references (unknown: {', '.join(unknown)})")
    return {"watches": [w.model_dump(mode="json") for w in found], "unknown": unknown}


async def check_stock(ctx: Context[Any, Any], reference: Reference) -> dict[str, Any]:
    """The live stock and price of one watch, read from the database at the moment of the call."""
    caller = storefront_caller(ctx)
    with tool_errors("check_stock"):
        async with caller.pool.connection() as conn:
            watch = await catalog.get_summary(conn, reference=_normal(reference))
    return {"reference": watch.reference, "name": watch.name, "price": str(watch.price), "currency": "USD",
            "stock_available": watch.stock_available, "in_stock": watch.stock_available > 0}


async def store_policies(ctx: Context[Any, Any], topic: PolicyTopic | None = None) -> dict[str, Any]:
    """The store's own policies (shipping, returns and refunds, warranty, payment, authenticity,
    contact), word for word from the policy document; one topic, or all of them."""
    known = store_policies_by_topic()
    chosen = [known[topic]] if topic is not None else list(known.values())
    return {"policies": chosen}


def store_policies_by_topic() -> dict[str, dict[str, str]]:
    return {p.topic: {"topic": p.topic, "title": p.title, "text": p.text}
            for p in policy_document.policies().values()}


async def get_my_cart(ctx: Context[Any, Any]) -> dict[str, Any]:
    """The signed-in customer's cart, with live prices. Needs the customer's bearer token."""
    caller = storefront_caller(ctx)
    principal = _signed_in(caller)
    with tool_errors("get_my_cart"):
        async with caller.pool.connection() as conn:
            cart = await carts.get_cart(conn, owner=CartOwner(customer_id=principal.customer_id))
    return cart.model_dump(mode="json")


async def list_my_orders(
    ctx: Context[Any, Any], limit: Annotated[int, Field(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """The signed-in customer's own orders, newest first. Needs the customer's bearer token."""
    caller = storefront_caller(ctx)
    principal = _signed_in(caller)
    with tool_errors("list_my_orders"):
        async with caller.pool.connection() as conn:
            mine = await orders.list_orders(conn, customer_id=principal.customer_id, limit=limit)
    return {"items": [o.model_dump(mode="json") for o in mine]}


async def get_my_order(ctx: Context[Any, Any], order_id: Annotated[int, Field(ge=1)]) -> dict[str, Any]:
    """One of the signed-in customer's own orders; another customer's order is "not found", exactly
    like an order that does not exist. Needs the customer's bearer token."""
    caller = storefront_caller(ctx)
    principal = _signed_in(caller)
    with tool_errors("get_my_order"):
        async with caller.pool.connection() as conn:
            order = await orders.get_order(conn, order_id=order_id, customer_id=principal.customer_id)
    return order.model_dump(mode="json")


TOOLS = (search_catalog, get_watch, compare_watches, check_stock, store_policies, get_my_cart, list_my_orders,
         get_my_order)


def build_storefront() -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("seiko-storefront", instructions=INSTRUCTIONS, version="1.0.0")
    for fn in TOOLS:
        server.add_tool(fn, annotations=READ_ONLY, structured_output=True)
    return server
