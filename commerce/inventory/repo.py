"""SQL for stock: the inventory row per watch and the movement ledger.

Stock changes are single conditional UPDATEs, so concurrent buyers can never take the same unit:
the row lock serialises them and the `available >= qty` condition refuses the loser. The CHECK
(available >= 0) in the schema is the backstop.
"""

from __future__ import annotations

from typing import Any

from db.pool import Conn
from events import repo as events


async def create(conn: Conn, *, watch_id: int, available: int, reorder_point: int = 0) -> None:
    await conn.execute(
        "INSERT INTO inventory (watch_id, available, reorder_point) VALUES (%(w)s, %(a)s, %(r)s)",
        {"w": watch_id, "a": available, "r": reorder_point},
    )


async def reserve(conn: Conn, *, watch_id: int, quantity: int) -> int | None:
    """Move `quantity` from available to reserved; None when not enough is available."""
    cur = await conn.execute(
        """UPDATE inventory SET available = available - %(q)s, reserved = reserved + %(q)s, updated_at = now()
           WHERE watch_id = %(w)s AND available >= %(q)s RETURNING available""",
        {"w": watch_id, "q": quantity},
    )
    row = await cur.fetchone()
    return int(row["available"]) if row else None


async def release(conn: Conn, *, watch_id: int, quantity: int) -> int:
    """Give reserved units back to available (an unpaid order was cancelled)."""
    cur = await conn.execute(
        """UPDATE inventory SET available = available + %(q)s, reserved = reserved - %(q)s, updated_at = now()
           WHERE watch_id = %(w)s RETURNING available""",
        {"w": watch_id, "q": quantity},
    )
    row = await cur.fetchone()
    assert row is not None
    return int(row["available"])


async def consume_reservation(conn: Conn, *, watch_id: int, quantity: int) -> None:
    """Reserved units were paid for: they leave stock."""
    await conn.execute(
        "UPDATE inventory SET reserved = reserved - %(q)s, updated_at = now() WHERE watch_id = %(w)s",
        {"w": watch_id, "q": quantity},
    )


async def adjust(conn: Conn, *, watch_id: int, delta: int) -> int | None:
    """Add `delta` (may be negative) to available; None when it would go below zero."""
    cur = await conn.execute(
        """UPDATE inventory SET available = available + %(d)s, updated_at = now()
           WHERE watch_id = %(w)s AND available + %(d)s >= 0 RETURNING available""",
        {"w": watch_id, "d": delta},
    )
    row = await cur.fetchone()
    return int(row["available"]) if row else None


async def record_movement(
    conn: Conn,
    *,
    watch_id: int,
    delta: int,
    kind: str,
    reason: str,
    balance_after: int,
    order_id: int | None = None,
    actor_id: int | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO stock_movements (watch_id, delta, kind, reason, balance_after, order_id, actor_id)
           VALUES (%(w)s, %(d)s, %(k)s, %(r)s, %(b)s, %(o)s, %(a)s)""",
        {"w": watch_id, "d": delta, "k": kind, "r": reason, "b": balance_after, "o": order_id, "a": actor_id},
    )
    # Every ledger row is a stock.adjusted event, in the same transaction (the ledger is the one path).
    await events.append(conn, type_="stock.adjusted", aggregate_type="stock", subject=watch_id, data={
        "watch_id": watch_id, "delta": delta, "kind": kind, "reason": reason, "balance_after": balance_after,
        "order_id": order_id, "actor_id": actor_id})


async def list_movements(conn: Conn, *, watch_id: int, limit: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """SELECT m.id, m.delta, m.kind, m.reason, m.balance_after, m.order_id, m.created_at,
                  c.email AS actor_email
           FROM stock_movements m LEFT JOIN customers c ON c.id = m.actor_id
           WHERE m.watch_id = %(w)s ORDER BY m.id DESC LIMIT %(l)s""",
        {"w": watch_id, "l": limit},
    )
    return await cur.fetchall()


async def list_low_stock(conn: Conn) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """SELECT w.reference, w.name, i.available, i.reserved, i.reorder_point
           FROM inventory i JOIN watches w ON w.id = i.watch_id
           WHERE w.active AND i.available <= i.reorder_point
           ORDER BY (i.available::float8 / greatest(i.reorder_point, 1)), w.reference"""
    )
    return await cur.fetchall()


async def count_low_stock(conn: Conn) -> int:
    cur = await conn.execute(
        """SELECT count(*) AS n FROM inventory i JOIN watches w ON w.id = i.watch_id
           WHERE w.active AND i.available <= i.reorder_point"""
    )
    row = await cur.fetchone()
    return int(row["n"]) if row else 0
