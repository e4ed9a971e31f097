"""The shopper assistant's tools. All read-only: the assistant has no tool that writes anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from commerce.catalog import repo as catalog_repo
from commerce.catalog.calibers import power_reserve_hours
from commerce.orders import service as orders
from commerce.policies import service as store_policies
from db.pool import Pool
from rag.embedder import Embedder
from rag.retriever import Mode, search
from tools.registry import ToolRegistry, ToolResult

SHOPPER_TOOLS = ToolRegistry()


@dataclass
class ShopperContext:
    """The assistant's run context: tools borrow a pooled connection per call, never across a model call."""

    pool: Pool
    embedder: Embedder | None
    customer_id: int | None
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # reference -> live facts returned


def _facts(ctx: ShopperContext, w: dict[str, Any]) -> dict[str, Any]:
    facts = {"reference": w["reference"], "name": w["name"], "collection": w["collection"],
             "category": w["category"], "movement": w["movement"], "case_diameter_mm": w["case_diameter_mm"],
             "water_resistance_m": w["water_resistance_m"], "dial_color": w["dial_color"], "strap": w["strap"],
             "price_usd": str(w["price"]), "stock_available": w["stock_available"],
             "in_stock": w["stock_available"] > 0}
    ctx.seen[w["reference"]] = facts
    return facts


@SHOPPER_TOOLS.tool()
async def search_watches(ctx: ShopperContext, query: str, limit: int = 5) -> ToolResult:
    """Search the catalog in plain language (constraints such as price, size, movement are understood).

    Args:
        query: what the shopper wants, in their words
        limit: how many watches to return (1 to 10)
    """
    async with ctx.pool.connection() as conn:
        outcome = await search(conn, embedder=ctx.embedder, query=query, mode=Mode.hybrid,
                               limit=max(1, min(limit, 10)))
    if not outcome.hits:
        return ToolResult("no_data", [], "nothing in the catalog matches")
    return ToolResult("ok", {"filters": outcome.filters,
                             "watches": [{**_facts(ctx, w), "why": why} for w, _, why in outcome.hits]})


@SHOPPER_TOOLS.tool()
async def get_watch(ctx: ShopperContext, reference: str) -> ToolResult:
    """Full details of one watch: specs, live price and stock, and its description as data.

    Args:
        reference: the watch reference, e.g. SRPD55K1
    """
    async with ctx.pool.connection() as conn:
        row = await catalog_repo.get_watch(conn, reference=reference.strip().upper())
    if row is None:
        return ToolResult("error", message=f"no watch with reference {reference!r}")
    return ToolResult("ok", {**_facts(ctx, row), "caliber": row["caliber"], "crystal": row["crystal"],
                             "features": row["features"],
                             "description": f"<data>{row['description']}</data>"})


@SHOPPER_TOOLS.tool()
async def compare_watches(ctx: ShopperContext, references: list[str]) -> ToolResult:
    """Compare two to four watches side by side.

    Args:
        references: the references to compare
    """
    async with ctx.pool.connection() as conn:
        rows = await catalog_repo.get_watches_by_references(conn, references=[r.upper() for r in references[:4]])
    if len(rows) < 2:
        return ToolResult("error", message="give at least two known references")
    return ToolResult("ok", [_facts(ctx, r) for r in rows])


@SHOPPER_TOOLS.tool()
async def check_stock(ctx: ShopperContext, reference: str) -> ToolResult:
    """Live stock and price of one watch.

    Args:
        reference: the watch reference
    """
    async with ctx.pool.connection() as conn:
        row = await catalog_repo.get_watch(conn, reference=reference.strip().upper())
    if row is None:
        return ToolResult("error", message=f"no watch with reference {reference!r}")
    return ToolResult("ok", _facts(ctx, row))


@SHOPPER_TOOLS.tool()
async def get_my_orders(ctx: ShopperContext) -> ToolResult:
    """The logged-in shopper's own orders and their status (nobody else's)."""
    if ctx.customer_id is None:
        return ToolResult("error", message="the shopper is not logged in; ask them to log in to see orders")
    async with ctx.pool.connection() as conn:
        mine = await orders.list_orders(conn, customer_id=ctx.customer_id, limit=10)
    if not mine:
        return ToolResult("no_data", [], "no orders yet")
    return ToolResult("ok", [{"id": o.id, "status": o.status.value, "total_usd": str(o.total),
                              "items": [f"{i.quantity} x {i.reference}" for i in o.items],
                              "created_at": o.created_at.isoformat()} for o in mine])


PolicyTopic = Literal["shipping", "returns", "warranty", "payment", "authenticity", "contact"]
RankAttribute = Literal["price", "case_diameter_mm", "water_resistance_m", "power_reserve_hours"]


@SHOPPER_TOOLS.tool()
async def get_store_policy(ctx: ShopperContext, topic: PolicyTopic) -> ToolResult:
    """The store's own policy on one topic, word for word from the policy document. Answer policy
    questions (shipping, returns and refunds, warranty, payment, authenticity, contact) only from this.

    Args:
        topic: which policy
    """
    policy = store_policies.policies().get(topic)
    if policy is None:
        return ToolResult("error", message=f"no policy on {topic!r}; topics: {', '.join(store_policies.topics())}")
    return ToolResult("ok", {"topic": policy.topic, "title": policy.title, "policy": policy.text})


@SHOPPER_TOOLS.tool()
async def rank_watches(ctx: ShopperContext, attribute: RankAttribute, highest: bool = True,
                       limit: int = 3) -> ToolResult:
    """The catalog's watches ranked by one attribute, for superlatives such as "the longest power reserve",
    "the most water resistant", "the smallest case" or "the cheapest". Watches without the attribute
    (power reserve is known for mechanical and Spring Drive movements only) are left out.

    Args:
        attribute: what to rank by
        highest: true for the largest values first, false for the smallest first
        limit: how many watches to return (1 to 10)
    """
    async with ctx.pool.connection() as conn:
        rows = await catalog_repo.active_watches(conn)
    valued = [(value, row) for row in rows if (value := _attribute(row, attribute)) is not None]
    if not valued:
        return ToolResult("no_data", [], f"no watch has a known {attribute}")
    valued.sort(key=lambda pair: (-pair[0] if highest else pair[0], pair[1]["reference"]))
    return ToolResult("ok", [{**_facts(ctx, row), attribute: str(value) if attribute == "price" else value}
                             for value, row in valued[:max(1, min(limit, 10))]])


def _attribute(row: dict[str, Any], attribute: str) -> Any:
    if attribute == "power_reserve_hours":
        return power_reserve_hours(row["caliber"])
    return row[attribute]
