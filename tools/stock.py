"""The stock agent's tools: thin adapters over the replenishment service. Each call borrows a pooled
connection for its own work and gives it back before the model is asked again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from commerce.replenishment import service
from commerce.replenishment.models import ReorderPolicy
from db.pool import Pool
from events.feeds import demand_signals
from events.read_models import DemandSignal
from tools.registry import ToolRegistry, ToolResult

STOCK_TOOLS = ToolRegistry()


@dataclass
class StockContext:
    pool: Pool
    policy: ReorderPolicy
    decision_id: uuid.UUID | None  # None when another agent calls over MCP: no decision of ours to link
    trigger: str


@STOCK_TOOLS.tool()
async def list_low_stock_watches(ctx: StockContext) -> ToolResult:
    """List every watch at or below its reorder point, most valuable to order first: available and
    reserved units, units on order, any open proposal, its demand forecast (model, demand class, daily
    mean and spread, interval over the lead time), supplier lead time and its spread, the fill-rate
    target, reorder point, the suggested order quantity and the allowed range, the projected stockout
    date, the last day to order, the revenue at risk if nothing is ordered, why a watch is blocked,
    and from the order events the units sold in all and when the watch last sold."""
    async with ctx.pool.connection() as conn:
        watches = await service.low_stock_assessments(conn, ctx.policy)
        signals = await demand_signals(conn) if watches else {}
    if not watches:
        return ToolResult("no_data", [], "no watch is at or below its reorder point")
    return ToolResult("ok", [w.as_tool_data() | _signal(signals.get(w.watch_id)) for w in watches])


def _signal(signal: DemandSignal | None) -> dict[str, Any]:
    """The demand signal fed by the event log: what has sold, and when it last did."""
    if signal is None:
        return {"units_sold_total": 0, "last_sold_at": None}
    return {"units_sold_total": signal.units_sold,
            "last_sold_at": signal.last_sold_at.isoformat() if signal.last_sold_at else None}


@STOCK_TOOLS.tool(writes=True)
async def create_reorder_request(ctx: StockContext, reference: str, quantity: int, rationale: str) -> ToolResult:
    """Propose a reorder of one watch for ops to approve. Refused (as an error you can read) when the
    reference is unknown, the quantity is outside the allowed range or not whole packs, the order is too
    expensive, the daily cap is reached, or the watch already has an open proposal.

    Args:
        reference: the watch reference exactly as listed by list_low_stock_watches
        quantity: units to order, inside the allowed quantity range
        rationale: one or two sentences on why this quantity, citing the demand and lead time
    """
    async with ctx.pool.connection() as conn:
        outcome = await service.propose(conn, reference=reference, quantity=quantity, rationale=rationale,
                                        policy=ctx.policy, decision_id=ctx.decision_id, trigger=ctx.trigger)
    if isinstance(outcome, service.Refusal):
        return ToolResult("error", message=outcome.reason)
    data = {"proposal_id": outcome.id, "reference": outcome.reference, "quantity": outcome.quantity,
            "status": outcome.status, "total_cost": str(outcome.total_cost)}
    return ToolResult("needs_approval" if outcome.status == "pending" else "ok", data)
