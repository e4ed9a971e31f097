"""SQL for payments, the provider events seen, and the outbox."""

from __future__ import annotations

import json
from typing import Any

from db.pool import Conn

_PAYMENT = "id, order_id, provider, intent_id, attempt, amount_cents, currency, status, failure_reason"


async def latest_for_order(conn: Conn, *, order_id: int) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"SELECT {_PAYMENT} FROM payments WHERE order_id = %(o)s ORDER BY attempt DESC LIMIT 1",  # noqa: S608
        {"o": order_id},
    )
    return await cur.fetchone()


async def get_by_id(conn: Conn, *, payment_id: int) -> dict[str, Any]:
    cur = await conn.execute(f"SELECT {_PAYMENT} FROM payments WHERE id = %(i)s", {"i": payment_id})  # noqa: S608
    row = await cur.fetchone()
    assert row is not None
    return row


async def succeeded_for_order(conn: Conn, *, order_id: int) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"SELECT {_PAYMENT} FROM payments WHERE order_id = %(o)s AND status = 'succeeded' "  # noqa: S608
        "ORDER BY attempt DESC LIMIT 1",
        {"o": order_id},
    )
    return await cur.fetchone()


async def get_by_intent(conn: Conn, *, intent_id: str, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE" if for_update else ""
    cur = await conn.execute(
        f"SELECT {_PAYMENT} FROM payments WHERE intent_id = %(i)s{lock}", {"i": intent_id}  # noqa: S608
    )
    return await cur.fetchone()


async def insert(
    conn: Conn, *, order_id: int, provider: str, intent_id: str, attempt: int, amount_cents: int, currency: str
) -> dict[str, Any]:
    cur = await conn.execute(
        f"""INSERT INTO payments (order_id, provider, intent_id, attempt, amount_cents, currency, status)
            VALUES (%(o)s, %(p)s, %(i)s, %(a)s, %(c)s, %(cur)s, 'requires_payment') RETURNING {_PAYMENT}""",  # noqa: S608
        {"o": order_id, "p": provider, "i": intent_id, "a": attempt, "c": amount_cents, "cur": currency},
    )
    row = await cur.fetchone()
    assert row is not None
    return row


async def set_status(conn: Conn, *, payment_id: int, status: str, failure_reason: str | None = None) -> None:
    await conn.execute(
        "UPDATE payments SET status = %(s)s, failure_reason = %(f)s, updated_at = now() WHERE id = %(id)s",
        {"id": payment_id, "s": status, "f": failure_reason},
    )


async def open_intents_for_order(conn: Conn, *, order_id: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        f"SELECT {_PAYMENT} FROM payments WHERE order_id = %(o)s AND status = 'requires_payment'",  # noqa: S608
        {"o": order_id},
    )
    return await cur.fetchall()


async def record_event(conn: Conn, *, event_id: str, source: str, type_: str, intent_id: str | None) -> bool:
    """Claim an event id; False when it was seen before (the caller then does nothing)."""
    cur = await conn.execute(
        """INSERT INTO payment_events (event_id, source, type, intent_id, outcome)
           VALUES (%(e)s, %(s)s, %(t)s, %(i)s, 'received') ON CONFLICT (event_id) DO NOTHING RETURNING event_id""",
        {"e": event_id, "s": source, "t": type_, "i": intent_id},
    )
    return await cur.fetchone() is not None


async def set_event_outcome(conn: Conn, *, event_id: str, outcome: str) -> None:
    await conn.execute(
        "UPDATE payment_events SET outcome = %(o)s WHERE event_id = %(e)s", {"e": event_id, "o": outcome}
    )


async def add_to_outbox(conn: Conn, *, kind: str, order_id: int, recipient: str, payload: dict[str, Any]) -> None:
    await conn.execute(
        """INSERT INTO outbox (kind, order_id, recipient, payload) VALUES (%(k)s, %(o)s, %(r)s, %(p)s)
           ON CONFLICT (kind, order_id) DO NOTHING""",
        {"k": kind, "o": order_id, "r": recipient, "p": json.dumps(payload)},
    )
