"""Earned autonomy as ops meet it: a changed quantity is recorded against the agent's, outcomes are
measured from the ledger 90 days on, a class earns auto-approval on its record and loses it when the
record stops holding; the decision card is on every proposal in the API."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from commerce.replenishment import earned, service
from commerce.replenishment.models import ProposalStatus
from db.pool import Conn
from tests.fix_app import Users

pytestmark = pytest.mark.integration
BIG_CAP = Decimal("10000000")


async def proposable(app: FastAPI, conn: Conn) -> list[service.Assessment]:
    await conn.execute("UPDATE inventory SET available = 1")
    policy = replace(app.state.agents.policy, daily_cap_usd=BIG_CAP)
    return [a for a in await service.low_stock_assessments(conn, policy) if a.proposable_quantity > 0]


async def propose(app: FastAPI, conn: Conn, a: service.Assessment) -> service.ProposalPublic:
    policy = replace(app.state.agents.policy, daily_cap_usd=BIG_CAP)
    made = await service.propose(conn, reference=a.reference, quantity=a.proposable_quantity, rationale="test",
                                 policy=policy, decision_id=None, trigger="drill")
    assert isinstance(made, service.ProposalPublic), made
    return made


async def test_every_proposal_carries_its_decision_card_and_ops_may_change_the_quantity(
    app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    await conn.execute("DELETE FROM reorder_proposals")
    candidates = await proposable(app, conn)
    assert candidates
    for a in candidates[:3]:
        await propose(app, conn, a)
    ops = await users.ops()
    items = (await client.get("/api/v1/ops/reorders", headers=ops)).json()["items"]
    assert len(items) == 3
    for p in items:
        assert {"model", "daily_mean", "interval"} <= set(p["forecast"])
        assert p["forecast"]["interval"]["low"] <= p["forecast"]["interval"]["high"]
        assert p["projected_stockout_date"] is not None and p["last_order_date"] < p["projected_stockout_date"]
        assert Decimal(p["revenue_at_risk"]) >= 0 and p["days_of_cover_after"] > 0
        assert p["proposed_quantity"] == p["quantity"] and p["demand_class"] == p["forecast"]["demand_class"]

    target = items[0]
    pack = target["inputs"]["pack_size"]
    if pack > 1:  # a quantity that breaks the pack is refused and nothing changes
        r = await client.post(f"/api/v1/ops/reorders/{target['id']}/approve", json={"quantity": pack + 1},
                              headers=ops)
        assert r.status_code == 422 and r.json()["code"] == "reorder_quantity_not_allowed"
    changed = target["quantity"] + pack
    r = await client.post(f"/api/v1/ops/reorders/{target['id']}/approve", json={"quantity": changed}, headers=ops)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["quantity"], body["proposed_quantity"]) == ("approved", changed, target["quantity"])
    assert Decimal(body["total_cost"]) == Decimal(target["unit_cost"]) * changed


async def test_autonomy_is_earned_on_the_record_and_lost_when_it_stops_holding(app: FastAPI, conn: Conn) -> None:
    policy = app.state.agents.policy
    await conn.execute("DELETE FROM reorder_proposals")
    a = (await proposable(app, conn))[0]
    cls = a.forecast.demand_class if a.forecast else "intermittent"
    made = await propose(app, conn, a)
    assert made.status is ProposalStatus.pending

    # 35 past proposals of this class, decided by a person, approved as proposed, measured 90 days on
    # with one stockout day and no overstock each: the Wilson lower bound is 0.9011 >= 0.9.
    await conn.execute(
        """INSERT INTO reorder_proposals (watch_id, quantity, proposed_quantity, unit_cost, total_cost, status,
               rationale, inputs, trigger, created_at, decided_at, decided_by, demand_class, outcome_stockout_days,
               outcome_overstock_value, outcome_measured_at)
           SELECT w.id, 6, 6, 10, 60, 'received', 'past', '{}', 'drill', now() - interval '120 days',
                  now() - interval '119 days', 'ops@example.com', %(c)s, 1, 0, now()
           FROM watches w, generate_series(1, 35) WHERE w.reference = %(r)s""",
        {"c": cls, "r": a.reference})
    verdicts = await earned.evaluate_autonomy(conn, policy)
    assert verdicts[cls].enabled, verdicts[cls].reason
    assert verdicts[cls].evidence["wilson_lower_bound"] == pytest.approx(0.9011, abs=1e-4)

    # one rejection by a person: the bound falls below the bar and autonomy switches itself off
    await service.decide(conn, proposal_id=made.id, approve=False, by="ops@example.com", reason="test rejection")
    verdicts = await earned.evaluate_autonomy(conn, policy)
    assert not verdicts[cls].enabled, "the rejection takes the bound to 35/36 = 0.8583"
    cur = await conn.execute("SELECT enabled, reason FROM reorder_autonomy_changes WHERE demand_class = %s "
                             "ORDER BY id", (cls,))
    assert [r["enabled"] for r in await cur.fetchall()] == [True, False], "both switches are on record"

    # the same decision turned into an approval as proposed, measured: the record earns it back, and
    # the next proposal of that class is approved without a person
    await conn.execute("""UPDATE reorder_proposals SET decided_by = 'ops@example.com', status = 'received',
                          quantity = proposed_quantity WHERE id = %s""", (made.id,))
    await conn.execute("UPDATE reorder_proposals SET outcome_measured_at = now(), outcome_stockout_days = 1, "
                       "outcome_overstock_value = 0 WHERE id = %s", (made.id,))
    assert (await earned.evaluate_autonomy(conn, policy))[cls].enabled
    b = next(x for x in await proposable(app, conn) if x.forecast and x.forecast.demand_class == cls
             and x.reference != a.reference)
    auto = await propose(app, conn, b)
    assert (auto.status, auto.decided_by) == (ProposalStatus.approved, f"earned autonomy ({cls})")


async def test_outcomes_are_measured_from_the_ledger_ninety_days_after_the_decision(conn: Conn) -> None:
    await conn.execute("DELETE FROM reorder_proposals")
    cur = await conn.execute("SELECT id FROM watches WHERE reference = 'SRPD77K1'")
    watch = (await cur.fetchone() or {})["id"]
    await conn.execute("DELETE FROM stock_movements WHERE watch_id = %s", (watch,))
    # decided 100 days ago with 4 on the shelf; sold out 10 days later; restocked to 40 at day 15. One
    # instant for every timestamp, so the day boundaries are exact.
    cur = await conn.execute("SELECT now() - interval '100 days' AS decided")
    decided = (await cur.fetchone() or {})["decided"]
    day = timedelta(days=1)
    await conn.execute(
        """INSERT INTO stock_movements (watch_id, delta, kind, reason, balance_after, created_at) VALUES
           (%(w)s, 4, 'adjustment', 'count', 4, %(t0)s), (%(w)s, -4, 'adjustment', 'sold', 0, %(t10)s),
           (%(w)s, 40, 'restock', 'delivery', 40, %(t15)s)""",
        {"w": watch, "t0": decided - day, "t10": decided + 10 * day + timedelta(hours=3),
         "t15": decided + 15 * day + timedelta(hours=1)})
    cur = await conn.execute(
        """INSERT INTO reorder_proposals (watch_id, quantity, proposed_quantity, unit_cost, total_cost, status,
               rationale, inputs, trigger, decided_at, decided_by, demand_class)
           VALUES (%s, 36, 36, 100, 3600, 'received', 'past', '{"order_up_to": 25}', 'drill', %s,
                   'ops@example.com', 'intermittent') RETURNING id""", (watch, decided))
    proposal = (await cur.fetchone() or {})["id"]
    assert await earned.measure_outcomes(conn) == 1
    cur = await conn.execute("SELECT outcome_stockout_days, outcome_overstock_value FROM reorder_proposals "
                             "WHERE id = %s", (proposal,))
    row = await cur.fetchone()
    # days 11 to 15 opened with an empty shelf (day 15 was restocked after it opened): 5 days
    assert row == {"outcome_stockout_days": 5, "outcome_overstock_value": Decimal("1500.00")}  # (40 - 25) x 100
    assert await earned.measure_outcomes(conn) == 0, "measured once"
