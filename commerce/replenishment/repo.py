"""SQL for reorder proposals and the stock picture the stock agent reasons over."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from db.pool import Conn
from events import repo as events

_PROPOSAL = """p.id, w.reference, w.name, p.quantity, p.unit_cost, p.total_cost, p.status, p.rationale, p.inputs,
               p.decision_id, p.trigger, p.created_at, p.decided_at, p.decided_by, p.decision_reason, p.received_at,
               p.watch_id"""


async def low_stock(conn: Conn, *, window_days: int, cooldown_days: int) -> list[dict[str, Any]]:
    """Active watches at or below their reorder point, with what is on order, their demand, and the
    latest rejection of a reorder within the cool-down (what ops said, and the stock then)."""
    cur = await conn.execute(
        """WITH days AS (
               SELECT generate_series(current_date - (%(n)s - 1), current_date, interval '1 day')::date AS day
           ), sold AS (
               SELECT oi.watch_id, o.created_at::date AS day, sum(oi.quantity) AS units
               FROM order_items oi JOIN orders o ON o.id = oi.order_id
               WHERE o.status IN ('paid', 'shipped', 'delivered') AND o.created_at >= current_date - (%(n)s - 1)
               GROUP BY 1, 2
           ), low AS (
               SELECT w.id FROM watches w JOIN inventory i ON i.watch_id = w.id
               WHERE w.active AND i.available <= i.reorder_point
           ), demand AS (
               SELECT low.id AS watch_id, avg(coalesce(sold.units, 0))::float8 AS mean_daily,
                      coalesce(stddev_samp(coalesce(sold.units, 0)), 0)::float8 AS sd_daily
               FROM low CROSS JOIN days LEFT JOIN sold ON sold.watch_id = low.id AND sold.day = days.day
               GROUP BY low.id
           )
           SELECT w.id AS watch_id, w.reference, w.name, w.price, i.available, i.reserved, i.reorder_point,
                  w.unit_cost, w.pack_size, w.min_order_qty, s.lead_time_days, s.name AS supplier, d.mean_daily,
                  d.sd_daily, coalesce(o.on_order, 0) AS on_order, op.id AS open_proposal_id,
                  op.status AS open_proposal_status, rj.quantity AS rejected_quantity,
                  rj.decision_reason AS rejected_reason, rj.decided_at AS rejected_at,
                  (rj.inputs ->> 'available')::int AS rejected_available
           FROM demand d JOIN watches w ON w.id = d.watch_id JOIN inventory i ON i.watch_id = w.id
           JOIN suppliers s ON s.id = w.supplier_id
           LEFT JOIN LATERAL (SELECT sum(quantity) AS on_order FROM reorder_proposals
                              WHERE watch_id = w.id AND status = 'approved') o ON TRUE
           LEFT JOIN reorder_proposals op ON op.watch_id = w.id AND op.status IN ('pending', 'approved')
           LEFT JOIN LATERAL (SELECT quantity, decision_reason, decided_at, inputs FROM reorder_proposals
                              WHERE watch_id = w.id AND status = 'rejected'
                                AND decided_at >= now() - make_interval(days => %(cool)s)
                              ORDER BY decided_at DESC LIMIT 1) rj ON TRUE
           ORDER BY i.available::float8 / greatest(i.reorder_point, 1), w.reference""",
        {"n": window_days, "cool": cooldown_days},
    )
    return await cur.fetchall()


async def watch_for_reorder(conn: Conn, *, reference: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        """SELECT w.id AS watch_id, w.reference, w.unit_cost, w.pack_size, w.min_order_qty, i.available,
                  i.reorder_point
           FROM watches w JOIN inventory i ON i.watch_id = w.id WHERE w.reference = %(r)s AND w.active""",
        {"r": reference},
    )
    return await cur.fetchone()


async def lock_for_proposals(conn: Conn, *, key: str) -> None:
    """A transaction-scoped advisory lock (released at commit or rollback)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%(k)s, 0))", {"k": key})


async def proposed_today_usd(conn: Conn) -> Decimal:
    cur = await conn.execute(
        """SELECT coalesce(sum(total_cost), 0) AS total FROM reorder_proposals
           WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
             AND status <> 'rejected'"""
    )
    row = await cur.fetchone()
    return Decimal(row["total"]) if row else Decimal(0)


async def insert(
    conn: Conn, *, watch_id: int, quantity: int, unit_cost: Decimal, rationale: str, inputs: dict[str, Any],
    decision_id: uuid.UUID | None, trigger: str, status: str = "pending", decided_by: str | None = None,
) -> int:
    cur = await conn.execute(
        """INSERT INTO reorder_proposals (watch_id, quantity, unit_cost, total_cost, rationale, inputs, decision_id,
                                          trigger, status, decided_by, decided_at)
           VALUES (%(w)s, %(q)s, %(u)s, %(t)s, %(r)s, %(i)s, %(d)s, %(tr)s, %(s)s, %(by)s,
                   CASE WHEN %(s)s = 'pending' THEN NULL ELSE now() END)
           RETURNING id""",
        {"w": watch_id, "q": quantity, "u": unit_cost, "t": unit_cost * quantity, "r": rationale,
         "i": json.dumps(inputs, default=str), "d": decision_id, "tr": trigger, "s": status, "by": decided_by},
    )
    row = await cur.fetchone()
    assert row is not None
    await events.append(conn, type_="reorder.proposed", aggregate_type="reorder", subject=row["id"], data={
        "proposal_id": row["id"], "watch_id": watch_id, "quantity": quantity, "unit_cost": str(unit_cost),
        "total_cost": str(unit_cost * quantity), "status": status, "trigger": trigger, "decided_by": decided_by,
        "decision_id": str(decision_id) if decision_id else None})
    return int(row["id"])


async def get(conn: Conn, *, proposal_id: int, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE OF p" if for_update else ""
    cur = await conn.execute(
        f"SELECT {_PROPOSAL} FROM reorder_proposals p JOIN watches w ON w.id = p.watch_id "  # noqa: S608
        f"WHERE p.id = %(id)s{lock}",
        {"id": proposal_id},
    )
    return await cur.fetchone()


async def list_by_status(conn: Conn, *, status: str | None, limit: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        f"SELECT {_PROPOSAL} FROM reorder_proposals p JOIN watches w ON w.id = p.watch_id "  # noqa: S608
        "WHERE (%(s)s::text IS NULL OR p.status = %(s)s) ORDER BY p.created_at DESC, p.id DESC LIMIT %(l)s",
        {"s": status, "l": limit},
    )
    return await cur.fetchall()


async def set_status(conn: Conn, *, proposal_id: int, status: str, by: str | None, reason: str | None) -> None:
    await conn.execute(
        """UPDATE reorder_proposals SET status = %(s)s,
               decided_at = CASE WHEN %(s)s IN ('approved', 'rejected', 'expired') THEN now() ELSE decided_at END,
               decided_by = CASE WHEN %(s)s IN ('approved', 'rejected', 'expired') THEN %(by)s ELSE decided_by END,
               decision_reason = CASE WHEN %(s)s IN ('approved', 'rejected', 'expired') THEN %(r)s
                                      ELSE decision_reason END,
               received_at = CASE WHEN %(s)s = 'received' THEN now() ELSE received_at END
           WHERE id = %(id)s""",
        {"id": proposal_id, "s": status, "by": by, "r": reason},
    )
    # reorder.approved, reorder.rejected, reorder.expired or reorder.received
    await events.append(conn, type_=f"reorder.{status}", aggregate_type="reorder", subject=proposal_id,
                        data={"proposal_id": proposal_id, "status": status, "by": by, "reason": reason})


async def stale_pending(conn: Conn, *, older_than_hours: int) -> list[int]:
    cur = await conn.execute(
        "SELECT id FROM reorder_proposals WHERE status = 'pending' AND created_at < now() - make_interval(hours => %s)",
        (older_than_hours,),
    )
    return [int(r["id"]) for r in await cur.fetchall()]


async def count_by_status(conn: Conn) -> dict[str, int]:
    cur = await conn.execute("SELECT status, count(*) AS n FROM reorder_proposals GROUP BY status")
    return {row["status"]: int(row["n"]) for row in await cur.fetchall()}
