"""Orders that have no events (written before the event log existed, or by the catalog seed's sales
history) get one `order.imported` snapshot each, so the log can rebuild every order."""

from __future__ import annotations

from commerce.orders import repo
from db.pool import Conn


async def import_untracked_orders(conn: Conn) -> int:
    """Snapshot every order without events, in one transaction under one lock (two processes starting
    at once import each order once); how many were imported."""
    async with conn.transaction():
        await repo.lock_import(conn)
        return await repo.snapshot_untracked(conn)
