"""SQL for refunds."""

from __future__ import annotations

from typing import Any

from db.pool import Conn

_REFUND = ("id, order_id, payment_id, provider, provider_refund_id, amount_cents, status, reason, failure_reason, "
           "requested_by, created_at")


async def insert(
    conn: Conn, *, order_id: int, payment_id: int, provider: str, amount_cents: int, status: str,
    reason: str | None, requested_by: int | None,
) -> dict[str, Any]:
    cur = await conn.execute(
        f"""INSERT INTO refunds (order_id, payment_id, provider, amount_cents, status, reason, requested_by)
            VALUES (%(o)s, %(p)s, %(pr)s, %(a)s, %(s)s, %(r)s, %(b)s) RETURNING {_REFUND}""",  # noqa: S608
        {"o": order_id, "p": payment_id, "pr": provider, "a": amount_cents, "s": status, "r": reason,
         "b": requested_by},
    )
    row = await cur.fetchone()
    assert row is not None
    return row


async def get(conn: Conn, *, refund_id: int, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE" if for_update else ""
    cur = await conn.execute(f"SELECT {_REFUND} FROM refunds WHERE id = %(i)s{lock}", {"i": refund_id})  # noqa: S608
    return await cur.fetchone()


async def find_by_provider_id(conn: Conn, *, provider_refund_id: str) -> dict[str, Any] | None:
    cur = await conn.execute(f"SELECT {_REFUND} FROM refunds WHERE provider_refund_id = %(i)s",  # noqa: S608
                             {"i": provider_refund_id})
    return await cur.fetchone()


async def open_for_order(conn: Conn, *, order_id: int) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"SELECT {_REFUND} FROM refunds WHERE order_id = %(o)s AND status IN ('requested', 'pending')",  # noqa: S608
        {"o": order_id},
    )
    return await cur.fetchone()


async def set_status(
    conn: Conn, *, refund_id: int, status: str, provider_refund_id: str | None = None,
    failure_reason: str | None = None,
) -> None:
    await conn.execute(
        """UPDATE refunds SET status = %(s)s, provider_refund_id = coalesce(provider_refund_id, %(p)s),
                  failure_reason = %(f)s, updated_at = now() WHERE id = %(i)s""",
        {"i": refund_id, "s": status, "p": provider_refund_id, "f": failure_reason},
    )
