"""Orders that have no events (written before the event log existed, or by the catalog seed's sales
history) get one `order.imported` snapshot each, so the log can rebuild every order."""

from __future__ import annotations

from commerce.orders import event_log, repo
from db.pool import Conn
from events import repo as events_repo


async def import_untracked_orders(conn: Conn, *, batch: int = 1000) -> int:
    """Snapshot every order without events, under each order's row lock; how many were imported."""
    imported = 0
    while ids := await events_repo.untracked_order_ids(conn, limit=batch):
        async with conn.transaction():
            for order_id in ids:
                row = await repo.get(conn, order_id=order_id, for_update=True)
                assert row is not None
                await event_log.imported(conn, row=row, lines=await repo.lines(conn, order_ids=[order_id]))
        imported += len(ids)
    return imported
