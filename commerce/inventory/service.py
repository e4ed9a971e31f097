"""Inventory use cases: adjustments with a reason and the ledger. Reorder points come from the demand
forecasts (commerce/forecasting/service.py)."""

from __future__ import annotations

from typing import Any

from commerce.catalog import repo as catalog_repo
from commerce.errors import StockWouldGoNegative, WatchNotFound
from commerce.inventory import repo
from db.pool import Conn


async def adjust_stock(
    conn: Conn, *, reference: str, delta: int, reason: str, actor_id: int
) -> dict[str, Any]:
    async with conn.transaction():
        watch = await catalog_repo.get_watch(conn, reference=reference, include_inactive=True)
        if watch is None:
            raise WatchNotFound(f"No watch with reference {reference!r}", reference=reference)
        balance = await repo.adjust(conn, watch_id=watch["id"], delta=delta)
        if balance is None:
            raise StockWouldGoNegative(
                f"{reference} has {watch['stock_available']} available; cannot apply {delta}",
                reference=reference,
                available=watch["stock_available"],
            )
        kind = "restock" if delta > 0 and reason.lower().startswith("restock") else "adjustment"
        await repo.record_movement(
            conn, watch_id=watch["id"], delta=delta, kind=kind, reason=reason,
            balance_after=balance, actor_id=actor_id,
        )
    return {"reference": reference, "delta": delta, "stock_available": balance, "reason": reason}


async def movements(conn: Conn, *, reference: str, limit: int) -> list[dict[str, Any]]:
    watch = await catalog_repo.get_watch(conn, reference=reference, include_inactive=True)
    if watch is None:
        raise WatchNotFound(f"No watch with reference {reference!r}", reference=reference)
    return await repo.list_movements(conn, watch_id=watch["id"], limit=limit)
