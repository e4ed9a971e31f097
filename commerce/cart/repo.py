"""SQL for the server-side carts: a customer's (`cart_items`) and a guest's (`guest_cart_items`,
named by the hash of its cookie). One row per (owner, watch)."""

from __future__ import annotations

from typing import Any

from commerce.cart.models import CartOwner
from db.pool import Conn


def _where(owner: CartOwner, alias: str) -> tuple[str, dict[str, Any]]:
    if owner.customer_id is not None:
        return f"{alias}.customer_id = %(owner)s", {"owner": owner.customer_id}
    return f"{alias}.cart_key = %(owner)s", {"owner": owner.guest_key}


def _table(owner: CartOwner) -> str:
    return "cart_items" if owner.customer_id is not None else "guest_cart_items"


async def lines(conn: Conn, *, owner: CartOwner) -> list[dict[str, Any]]:
    where, params = _where(owner, "c")
    cur = await conn.execute(
        f"""SELECT w.reference, w.name, c.quantity, w.price AS unit_price, i.available AS stock_available
            FROM {_table(owner)} c JOIN watches w ON w.id = c.watch_id JOIN inventory i ON i.watch_id = w.id
            WHERE {where} AND w.active ORDER BY c.added_at, w.reference""",  # noqa: S608 - fixed names
        params,
    )
    return await cur.fetchall()


async def upsert(conn: Conn, *, owner: CartOwner, watch_id: int, quantity: int) -> None:
    column = "customer_id" if owner.customer_id is not None else "cart_key"
    _, params = _where(owner, "c")
    await conn.execute(
        f"""INSERT INTO {_table(owner)} ({column}, watch_id, quantity) VALUES (%(owner)s, %(w)s, %(q)s)
            ON CONFLICT ({column}, watch_id) DO UPDATE SET quantity = EXCLUDED.quantity""",  # noqa: S608
        {**params, "w": watch_id, "q": quantity},
    )


async def remove(conn: Conn, *, owner: CartOwner, watch_id: int) -> None:
    where, params = _where(owner, "c")
    await conn.execute(f"DELETE FROM {_table(owner)} c WHERE {where} AND c.watch_id = %(w)s",  # noqa: S608
                       {**params, "w": watch_id})


async def clear(conn: Conn, *, owner: CartOwner) -> None:
    where, params = _where(owner, "c")
    await conn.execute(f"DELETE FROM {_table(owner)} c WHERE {where}", params)  # noqa: S608


async def remove_references(conn: Conn, *, customer_id: int, references: list[str]) -> None:
    await conn.execute(
        """DELETE FROM cart_items c USING watches w
           WHERE c.watch_id = w.id AND c.customer_id = %(c)s AND w.reference = ANY(%(r)s)""",
        {"c": customer_id, "r": references},
    )


async def merge_guest(conn: Conn, *, guest_key: str, customer_id: int, max_quantity: int) -> int:
    """Move a guest's lines into the customer's cart (quantities added, up to the per-order cap) and
    delete the guest's cart, in one transaction; returns how many lines moved."""
    async with conn.transaction():
        cur = await conn.execute(
            """INSERT INTO cart_items (customer_id, watch_id, quantity, added_at)
               SELECT %(c)s, g.watch_id, LEAST(g.quantity, %(m)s), g.added_at
               FROM guest_cart_items g WHERE g.cart_key = %(g)s
               ON CONFLICT (customer_id, watch_id)
               DO UPDATE SET quantity = LEAST(cart_items.quantity + EXCLUDED.quantity, %(m)s)""",
            {"c": customer_id, "g": guest_key, "m": max_quantity},
        )
        moved = cur.rowcount
        await conn.execute("DELETE FROM guest_cart_items WHERE cart_key = %(g)s", {"g": guest_key})
    return moved
