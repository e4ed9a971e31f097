"""The ops MCP server: the stock agent's own tools, for another agent acting for a member of staff.

Each tool runs the very implementation the stock agent runs (tools.stock, through its registry's
argument validation), so the guardrails are the same ones, enforced in the same transaction. A reorder
made here is always a pending proposal: auto-approval is switched off for callers from outside, and a
person approves or rejects it in the console as any other."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from mcp_server.caller import OpsCaller, ops_caller
from tools.registry import ToolResult
from tools.stock import STOCK_TOOLS, StockContext

INSTRUCTIONS = (
    "Seiko Watch Store operations. List the watches at or below their reorder point and propose reorders "
    "within the store's policy; every proposal waits for a person to approve it."
)
READS = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)
# It writes a proposal (not stock, not a purchase order): still marked destructive so clients confirm
# with their user before calling it. The hint informs; the role check and the guardrails decide.
PROPOSES = ToolAnnotations(readOnlyHint=False, destructiveHint=True, idempotentHint=False, openWorldHint=False)


def _context(caller: OpsCaller) -> StockContext:
    policy = dataclasses.replace(caller.policy, auto_approve_below_usd=None, earned_autonomy=False)
    return StockContext(pool=caller.pool, policy=policy, decision_id=None,
                        trigger=f"mcp:{caller.principal.email}")


async def _run(ctx: Context[Any, Any], name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result: ToolResult = await STOCK_TOOLS.call(name, arguments, _context(ops_caller(ctx)))
    if result.is_error:
        raise ToolError(result.message or f"{name} failed")
    return {"status": result.status, "message": result.message, "data": result.data}


async def list_low_stock_watches(ctx: Context[Any, Any]) -> dict[str, Any]:
    """Every watch at or below its reorder point: available and reserved units, units on order, any open
    proposal, daily demand, supplier lead time, safety stock, reorder point, the suggested order quantity
    and the quantity range the policy allows."""
    return await _run(ctx, "list_low_stock_watches", {})


async def create_reorder_request(
    ctx: Context[Any, Any],
    reference: Annotated[str, Field(min_length=1, max_length=40,
                                    description="The watch reference exactly as listed by list_low_stock_watches")],
    quantity: Annotated[int, Field(ge=1, description="Units to order, inside the allowed quantity range")],
    rationale: Annotated[str, Field(min_length=1, max_length=2000,
                                    description="Why this quantity, citing the demand and lead time")],
) -> dict[str, Any]:
    """Propose a reorder of one watch. It only ever creates a pending proposal for a person to approve;
    it is refused when the reference is unknown or not low, the quantity is outside the allowed range or
    not whole packs, the order is too expensive, the daily cap is reached, or an open proposal exists."""
    return await _run(ctx, "create_reorder_request",
                      {"reference": reference, "quantity": quantity, "rationale": rationale})


TOOLS = ((list_low_stock_watches, READS), (create_reorder_request, PROPOSES))


def build_ops() -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("seiko-ops", instructions=INSTRUCTIONS, version="1.0.0")
    for fn, hints in TOOLS:
        server.add_tool(fn, annotations=hints, structured_output=True)
    return server
