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
               p.watch_id, p.proposed_quantity, p.demand_class, p.outcome_stockout_days, p.outcome_overstock_value"""


async def low_stock(conn: Conn, *, cooldown_days: int) -> list[dict[str, Any]]:
    """Active watches at or below their reorder point, with their demand forecast, the supplier's
    lead time, what is on order, and the latest rejection of a reorder within the cool-down (what
    ops said, and the stock then)."""
    cur = await conn.execute(
        """SELECT w.id AS watch_id, w.reference, w.name, w.price, i.available, i.reserved, i.reorder_point,
                  w.unit_cost, w.pack_size, w.min_order_qty, s.lead_time_days,
                  s.lead_time_sd_days::float8 AS lead_time_sd_days, s.name AS supplier,
                  f.model AS forecast_model, f.demand_class, f.daily_mean AS forecast_mean, f.daily_sd AS forecast_sd,
                  f.mase AS forecast_mase, f.observations AS forecast_observations, f.censored_days,
                  (now() AT TIME ZONE 'UTC')::date AS today,
                  coalesce(o.on_order, 0) AS on_order, op.id AS open_proposal_id,
                  op.status AS open_proposal_status, rj.quantity AS rejected_quantity,
                  rj.decision_reason AS rejected_reason, rj.decided_at AS rejected_at,
                  (rj.inputs ->> 'available')::int AS rejected_available,
                  (rj.inputs ->> 'suggested_quantity')::int AS rejected_suggested
           FROM watches w JOIN inventory i ON i.watch_id = w.id
           JOIN suppliers s ON s.id = w.supplier_id
           LEFT JOIN watch_forecasts f ON f.watch_id = w.id
           LEFT JOIN LATERAL (SELECT sum(quantity) AS on_order FROM reorder_proposals
                              WHERE watch_id = w.id AND status = 'approved') o ON TRUE
           LEFT JOIN reorder_proposals op ON op.watch_id = w.id AND op.status IN ('pending', 'approved')
           LEFT JOIN LATERAL (SELECT quantity, decision_reason, decided_at, inputs FROM reorder_proposals
                              WHERE watch_id = w.id AND status = 'rejected'
                                AND decided_at >= now() - make_interval(days => %(cool)s)
                              ORDER BY decided_at DESC LIMIT 1) rj ON TRUE
           WHERE w.active AND i.available <= i.reorder_point
           ORDER BY i.available::float8 / greatest(i.reorder_point, 1), w.reference""",
        {"cool": cooldown_days},
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
    demand_class: str | None = None,
) -> int:
    cur = await conn.execute(
        """INSERT INTO reorder_proposals (watch_id, quantity, proposed_quantity, unit_cost, total_cost, rationale,
                                          inputs, decision_id, trigger, status, decided_by, decided_at, demand_class)
           VALUES (%(w)s, %(q)s, %(q)s, %(u)s, %(t)s, %(r)s, %(i)s, %(d)s, %(tr)s, %(s)s, %(by)s,
                   CASE WHEN %(s)s = 'pending' THEN NULL ELSE now() END, %(dc)s)
           RETURNING id""",
        {"w": watch_id, "q": quantity, "u": unit_cost, "t": unit_cost * quantity, "r": rationale,
         "i": json.dumps(inputs, default=str), "d": decision_id, "tr": trigger, "s": status, "by": decided_by,
         "dc": demand_class},
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


async def change_quantity(conn: Conn, *, proposal_id: int, quantity: int) -> None:
    """Ops settled on another quantity: the order changes; `proposed_quantity` keeps the agent's."""
    await conn.execute(
        "UPDATE reorder_proposals SET quantity = %(q)s, total_cost = unit_cost * %(q)s WHERE id = %(id)s",
        {"id": proposal_id, "q": quantity},
    )


async def autonomy_enabled(conn: Conn, *, demand_class: str) -> bool:
    cur = await conn.execute("SELECT enabled FROM reorder_autonomy WHERE demand_class = %(c)s", {"c": demand_class})
    row = await cur.fetchone()
    return bool(row and row["enabled"])


# Decisions a person made: not the small-order rule, not earned autonomy, not the expiry sweep.
_BY_PERSON = ("p.decided_by IS NOT NULL AND p.decided_by NOT IN ('auto-approval', 'scheduler') "
              "AND p.decided_by NOT LIKE 'earned autonomy%%'")
_AS_PROPOSED = "p.status IN ('approved', 'received') AND p.quantity = p.proposed_quantity"
_OVERRULED = "(p.status = 'rejected' OR (p.status IN ('approved', 'received') AND p.quantity <> p.proposed_quantity))"


async def autonomy_records(conn: Conn) -> list[dict[str, Any]]:
    """Per demand class: decisions by people, how many approved as proposed, and the measured outcomes
    of the agent's quantities and of the ones ops overruled."""
    cur = await conn.execute(
        f"""SELECT p.demand_class,
                  count(*) FILTER (WHERE {_BY_PERSON} AND p.status IN ('approved', 'received', 'rejected')) AS decided,
                  count(*) FILTER (WHERE {_BY_PERSON} AND {_AS_PROPOSED}) AS unchanged,
                  count(*) FILTER (WHERE p.outcome_measured_at IS NOT NULL AND {_AS_PROPOSED}) AS agent_n,
                  coalesce(avg(p.outcome_stockout_days) FILTER (WHERE p.outcome_measured_at IS NOT NULL
                                                                AND {_AS_PROPOSED}), 0)::float8 AS agent_stockout,
                  coalesce(avg(p.outcome_overstock_value) FILTER (WHERE p.outcome_measured_at IS NOT NULL
                                                                   AND {_AS_PROPOSED}), 0) AS agent_overstock,
                  coalesce(avg(p.total_cost) FILTER (WHERE p.outcome_measured_at IS NOT NULL
                                                     AND {_AS_PROPOSED}), 0) AS agent_cost,
                  count(*) FILTER (WHERE p.outcome_measured_at IS NOT NULL AND {_BY_PERSON}
                                   AND {_OVERRULED}) AS human_n,
                  coalesce(avg(p.outcome_stockout_days) FILTER (WHERE p.outcome_measured_at IS NOT NULL
                                                                AND {_BY_PERSON} AND {_OVERRULED}), 0)::float8
                      AS human_stockout,
                  coalesce(avg(p.outcome_overstock_value) FILTER (WHERE p.outcome_measured_at IS NOT NULL
                                                                   AND {_BY_PERSON} AND {_OVERRULED}), 0)
                      AS human_overstock,
                  coalesce(avg(p.total_cost) FILTER (WHERE p.outcome_measured_at IS NOT NULL AND {_BY_PERSON}
                                                     AND {_OVERRULED}), 0) AS human_cost
           FROM reorder_proposals p WHERE p.demand_class IS NOT NULL GROUP BY p.demand_class"""  # noqa: S608
    )
    return await cur.fetchall()


async def autonomy_states(conn: Conn) -> list[dict[str, Any]]:
    cur = await conn.execute(
        "SELECT demand_class, enabled, changed_at, reason, evidence FROM reorder_autonomy ORDER BY demand_class")
    return await cur.fetchall()


async def set_autonomy(conn: Conn, *, demand_class: str, enabled: bool, reason: str, evidence: dict[str, Any]) -> bool:
    """Record the class's state; True when it switched (a change is also logged with its evidence)."""
    cur = await conn.execute(
        "SELECT enabled FROM reorder_autonomy WHERE demand_class = %(c)s FOR UPDATE", {"c": demand_class})
    row = await cur.fetchone()
    params = {"c": demand_class, "e": enabled, "r": reason, "ev": json.dumps(evidence)}
    if row is not None and row["enabled"] == enabled:
        await conn.execute("UPDATE reorder_autonomy SET reason = %(r)s, evidence = %(ev)s WHERE demand_class = %(c)s",
                           params)
        return False
    await conn.execute(
        """INSERT INTO reorder_autonomy (demand_class, enabled, changed_at, reason, evidence)
           VALUES (%(c)s, %(e)s, now(), %(r)s, %(ev)s)
           ON CONFLICT (demand_class) DO UPDATE SET enabled = excluded.enabled, changed_at = now(),
               reason = excluded.reason, evidence = excluded.evidence""", params)
    if row is not None or enabled:  # the first "off" is the starting state, not a switch
        await conn.execute(
            """INSERT INTO reorder_autonomy_changes (demand_class, enabled, changed_at, reason, evidence)
               VALUES (%(c)s, %(e)s, now(), %(r)s, %(ev)s)""", params)
        return True
    return False


async def autonomy_changes(conn: Conn, *, limit: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        "SELECT demand_class, enabled, changed_at, reason FROM reorder_autonomy_changes ORDER BY id DESC LIMIT %s",
        (limit,))
    return await cur.fetchall()


async def unmeasured_outcomes(conn: Conn, *, after_days: int) -> list[dict[str, Any]]:
    """Decided proposals old enough to measure, with the stock before the decision and the ledger of
    the `after_days` that followed."""
    cur = await conn.execute(
        """SELECT p.id, p.watch_id, p.decided_at, p.unit_cost, (p.inputs ->> 'order_up_to')::int AS order_up_to,
                  coalesce((SELECT m.balance_after FROM stock_movements m
                            WHERE m.watch_id = p.watch_id AND m.created_at <= p.decided_at
                            ORDER BY m.created_at DESC, m.id DESC LIMIT 1), 0) AS opening,
                  coalesce((SELECT json_agg(json_build_array(
                                floor(extract(epoch FROM m.created_at - p.decided_at) / 86400)::int, m.balance_after)
                                ORDER BY m.created_at, m.id)
                            FROM stock_movements m WHERE m.watch_id = p.watch_id AND m.created_at > p.decided_at
                              AND m.created_at <= p.decided_at + make_interval(days => %(d)s)), '[]') AS moves
           FROM reorder_proposals p
           WHERE p.status IN ('approved', 'received', 'rejected') AND p.outcome_measured_at IS NULL
             AND p.decided_at <= now() - make_interval(days => %(d)s)
           ORDER BY p.id""",
        {"d": after_days},
    )
    return await cur.fetchall()


async def record_outcome(conn: Conn, *, proposal_id: int, stockout_days: int, overstock_value: Decimal) -> None:
    await conn.execute(
        """UPDATE reorder_proposals SET outcome_stockout_days = %(s)s, outcome_overstock_value = %(o)s,
               outcome_measured_at = now() WHERE id = %(id)s""",
        {"id": proposal_id, "s": stockout_days, "o": overstock_value},
    )
