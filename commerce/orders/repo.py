"""SQL for orders and their lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from commerce.orders.checkout import Totals
from db.pool import Conn
from events.envelope import SOURCE

_ORDER_COLUMNS = """o.id, o.customer_id, o.status, o.total, coalesce(o.subtotal, o.total) AS subtotal,
                    o.shipping_method, o.shipping_cost, o.tax_rate, o.tax, o.ship_to, o.currency,
                    o.created_at, o.updated_at,
                    o.paid_at, o.cancelled_at, o.cancel_reason, o.refunded_at, o.request_hash"""
# The latest payment attempt and the confirmation, for what the customer sees on an order.
_VIEW_COLUMNS = """pay.provider AS payment_provider, pay.status AS payment_status, pay.intent_id AS payment_intent_id,
                   pay.amount_cents AS payment_amount_cents, pay.failure_reason AS payment_failure_reason,
                   conf.payload ->> 'order_number' AS confirmation_number, conf.recipient AS confirmation_sent_to,
                   conf.created_at AS confirmation_created_at,
                   ref.status AS refund_status, ref.amount_cents AS refund_amount_cents,
                   ref.provider AS refund_provider, ref.reason AS refund_reason,
                   ref.failure_reason AS refund_failure_reason, ref.created_at AS refund_created_at"""
_VIEW_JOINS = """LEFT JOIN LATERAL (SELECT p.provider, p.status, p.intent_id, p.amount_cents, p.failure_reason
                                     FROM payments p WHERE p.order_id = o.id
                                     ORDER BY p.attempt DESC LIMIT 1) pay ON TRUE
                 LEFT JOIN outbox conf ON conf.order_id = o.id AND conf.kind = 'order_confirmation'
                 LEFT JOIN LATERAL (SELECT r.status, r.amount_cents, r.provider, r.reason, r.failure_reason,
                                           r.created_at
                                    FROM refunds r WHERE r.order_id = o.id
                                    ORDER BY r.id DESC LIMIT 1) ref ON TRUE"""


async def insert(
    conn: Conn, *, customer_id: int, totals: Totals, shipping_method: str | None, ship_to: dict[str, Any] | None,
    idempotency_key: str | None, request_hash: str,
) -> int:
    cur = await conn.execute(
        """INSERT INTO orders (customer_id, status, total, subtotal, shipping_method, shipping_cost, tax_rate, tax,
                               ship_to, idempotency_key, request_hash)
           VALUES (%(c)s, 'pending_payment', %(t)s, %(s)s, %(m)s, %(sc)s, %(tr)s, %(tx)s, %(to)s, %(k)s, %(h)s)
           RETURNING id""",
        {"c": customer_id, "t": totals.total, "s": totals.subtotal, "m": shipping_method,
         "sc": totals.shipping_cost, "tr": totals.tax_rate, "tx": totals.tax,
         "to": Jsonb(ship_to) if ship_to is not None else None, "k": idempotency_key, "h": request_hash},
    )
    row = await cur.fetchone()
    assert row is not None
    return int(row["id"])


async def insert_line(conn: Conn, *, order_id: int, watch_id: int, quantity: int, unit_price: Decimal) -> None:
    await conn.execute(
        "INSERT INTO order_items (order_id, watch_id, quantity, unit_price) VALUES (%(o)s, %(w)s, %(q)s, %(p)s)",
        {"o": order_id, "w": watch_id, "q": quantity, "p": unit_price},
    )


async def find_by_idempotency_key(conn: Conn, *, customer_id: int, key: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"SELECT {_ORDER_COLUMNS} FROM orders o WHERE o.customer_id = %(c)s AND o.idempotency_key = %(k)s",  # noqa: S608
        {"c": customer_id, "k": key},
    )
    return await cur.fetchone()


async def get(conn: Conn, *, order_id: int, for_update: bool = False) -> dict[str, Any] | None:
    # OF o: lock the order only, never the customer row (a customer's orders must not serialise).
    lock = " FOR UPDATE OF o" if for_update else ""
    cur = await conn.execute(
        f"SELECT {_ORDER_COLUMNS}, c.email AS customer_email, {_VIEW_COLUMNS} FROM orders o "  # noqa: S608
        f"JOIN customers c ON c.id = o.customer_id {_VIEW_JOINS} WHERE o.id = %(id)s{lock}",
        {"id": order_id},
    )
    return await cur.fetchone()


async def lines(conn: Conn, *, order_ids: list[int]) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """SELECT oi.order_id, oi.watch_id, w.reference, w.name, oi.quantity, oi.unit_price
           FROM order_items oi JOIN watches w ON w.id = oi.watch_id
           WHERE oi.order_id = ANY(%(ids)s) ORDER BY oi.order_id, w.reference""",
        {"ids": order_ids},
    )
    return await cur.fetchall()


async def list_for_customer(conn: Conn, *, customer_id: int, limit: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        f"SELECT {_ORDER_COLUMNS}, {_VIEW_COLUMNS} FROM orders o {_VIEW_JOINS} "  # noqa: S608
        "WHERE o.customer_id = %(c)s ORDER BY o.created_at DESC, o.id DESC LIMIT %(l)s",
        {"c": customer_id, "l": limit},
    )
    return await cur.fetchall()


async def list_all(
    conn: Conn, *, status: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    cur = await conn.execute(
        f"""SELECT {_ORDER_COLUMNS}, c.email AS customer_email, {_VIEW_COLUMNS}, count(*) OVER () AS total_count
            FROM orders o JOIN customers c ON c.id = o.customer_id {_VIEW_JOINS}
            WHERE (%(s)s::text IS NULL OR o.status = %(s)s)
            ORDER BY o.created_at DESC, o.id DESC LIMIT %(l)s OFFSET %(o)s""",  # noqa: S608
        {"s": status, "l": limit, "o": offset},
    )
    rows = await cur.fetchall()
    return rows, int(rows[0]["total_count"]) if rows else 0


async def set_status(conn: Conn, *, order_id: int, status: str, reason: str | None) -> None:
    await conn.execute(
        """UPDATE orders SET status = %(s)s, updated_at = now(),
                  paid_at = CASE WHEN %(s)s = 'paid' THEN now() ELSE paid_at END,
                  cancelled_at = CASE WHEN %(s)s = 'cancelled' THEN now() ELSE cancelled_at END,
                  cancel_reason = CASE WHEN %(s)s = 'cancelled' THEN %(r)s ELSE cancel_reason END,
                  refunded_at = CASE WHEN %(s)s = 'refunded' THEN now() ELSE refunded_at END
           WHERE id = %(id)s""",
        {"id": order_id, "s": status, "r": reason},
    )


async def revenue_summary(conn: Conn) -> dict[str, Any]:
    cur = await conn.execute(
        """SELECT
             coalesce(sum(total) FILTER (WHERE status IN ('paid', 'shipped', 'delivered')), 0) AS revenue_total,
             coalesce(sum(total) FILTER (WHERE status IN ('paid', 'shipped', 'delivered')
                                         AND created_at >= now() - interval '30 days'), 0) AS revenue_30d,
             count(*) FILTER (WHERE created_at >= now() - interval '30 days') AS orders_30d
           FROM orders"""
    )
    row = await cur.fetchone()
    assert row is not None
    return row


async def count_by_status(conn: Conn) -> dict[str, int]:
    cur = await conn.execute("SELECT status, count(*) AS n FROM orders GROUP BY status")
    return {r["status"]: int(r["n"]) for r in await cur.fetchall()}


async def unpaid_older_than(conn: Conn, *, age: timedelta, limit: int) -> list[int]:
    cur = await conn.execute(
        """SELECT id FROM orders WHERE status = 'pending_payment' AND created_at < now() - %(age)s
           ORDER BY id LIMIT %(l)s""",
        {"age": age, "l": limit},
    )
    return [int(r["id"]) for r in await cur.fetchall()]


async def lock_customer_orders(conn: Conn, *, customer_id: int) -> None:
    """Serialise one customer's order placements (inside the caller's transaction), so two at once
    cannot both pass the unpaid-order caps. Other customers are not held up."""
    # The two-int4 form: a class id of its own (the prompt registry uses 0x5E1C0) and the customer id
    # folded into int4 (two customers sharing a key only wait for each other).
    await conn.execute("SELECT pg_advisory_xact_lock(%(ns)s, mod(%(c)s::bigint, 2147483647)::int4)",
                       {"ns": _PLACEMENT_LOCK, "c": customer_id})


_PLACEMENT_LOCK = 0x5E1C1


async def unpaid_for_customer(conn: Conn, *, customer_id: int) -> dict[str, Any]:
    """How many of this customer's orders wait for payment, and their value."""
    cur = await conn.execute(
        """SELECT count(*) AS orders, coalesce(sum(total), 0) AS value FROM orders
           WHERE customer_id = %(c)s AND status = 'pending_payment'""",
        {"c": customer_id},
    )
    row = await cur.fetchone()
    assert row is not None
    return row


async def reserved_unpaid_units(conn: Conn) -> int:
    cur = await conn.execute(
        """SELECT coalesce(sum(oi.quantity), 0) AS n FROM order_items oi JOIN orders o ON o.id = oi.order_id
           WHERE o.status = 'pending_payment'"""
    )
    row = await cur.fetchone()
    return int(row["n"]) if row else 0


_IMPORT_LOCK = 0x5E1C2


async def lock_import(conn: Conn) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(%(ns)s, 0)", {"ns": _IMPORT_LOCK})


async def snapshot_untracked(conn: Conn) -> int:
    """Append an `order.imported` event (schema events/schemas/order.imported.v1.json): a snapshot of
    every order that has no event yet, in one statement (thousands of seeded orders in well under a
    second). Its times are the order's own; the fold starts the order from it."""
    cur = await conn.execute(
        """INSERT INTO events (id, source, type, subject, aggregate_type, schema_version, data)
           SELECT gen_random_uuid(), %(src)s, 'order.imported', o.id::text, 'order', 1, jsonb_build_object(
                      'order_id', o.id, 'customer_id', o.customer_id, 'status', o.status,
                      'lines', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                   'watch_id', oi.watch_id, 'reference', w.reference, 'quantity', oi.quantity,
                                   'unit_price', oi.unit_price::text) ORDER BY oi.watch_id)
                               FROM order_items oi JOIN watches w ON w.id = oi.watch_id
                               WHERE oi.order_id = o.id), '[]'::jsonb),
                      'total', o.total::text, 'subtotal', coalesce(o.subtotal, o.total)::text,
                      'shipping_method', o.shipping_method, 'shipping_cost', o.shipping_cost::text,
                      'tax_rate', o.tax_rate::text, 'tax', o.tax::text, 'currency', o.currency, 'ship_to', o.ship_to,
                      'created_at', o.created_at, 'updated_at', o.updated_at, 'paid_at', o.paid_at,
                      'cancelled_at', o.cancelled_at, 'cancel_reason', o.cancel_reason, 'refunded_at', o.refunded_at)
           FROM orders o
           WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.aggregate_type = 'order' AND e.subject = o.id::text)
           ORDER BY o.id""",
        {"src": SOURCE},
    )
    return cur.rowcount
