"""SQL for the server-side cart: one row per (customer, watch)."""

from __future__ import annotations

from typing import Any

from db.pool import Conn


async def lines(conn: Conn, *, customer_id: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """SELECT w.reference, w.name, c.quantity, w.price AS unit_price, i.available AS stock_available
           FROM cart_items c JOIN watches w ON w.id = c.watch_id JOIN inventory i ON i.watch_id = w.id
           WHERE c.customer_id = %(c)s AND w.active ORDER BY c.added_at, w.reference""",
        {"c": customer_id},
    )
    return await cur.fetchall()


async def upsert(conn: Conn, *, customer_id: int, watch_id: int, quantity: int) -> None:
    await conn.execute(
        """INSERT INTO cart_items (customer_id, watch_id, quantity) VALUES (%(c)s, %(w)s, %(q)s)
           ON CONFLICT (customer_id, watch_id) DO UPDATE SET quantity = EXCLUDED.quantity""",
        {"c": customer_id, "w": watch_id, "q": quantity},
    )


async def remove(conn: Conn, *, customer_id: int, watch_id: int) -> None:
    await conn.execute(
        "DELETE FROM cart_items WHERE customer_id = %(c)s AND watch_id = %(w)s", {"c": customer_id, "w": watch_id}
    )


async def clear(conn: Conn, *, customer_id: int) -> None:
    await conn.execute("DELETE FROM cart_items WHERE customer_id = %(c)s", {"c": customer_id})


async def remove_references(conn: Conn, *, customer_id: int, references: list[str]) -> None:
    await conn.execute(
        """DELETE FROM cart_items c USING watches w
           WHERE c.watch_id = w.id AND c.customer_id = %(c)s AND w.reference = ANY(%(r)s)""",
        {"c": customer_id, "r": references},
    )
