"""The stock agent's judgement as ops meet it: under a daily cap the most urgent watches come first,
what a run did not do is recorded with the reason, and a rejection holds for its cool-down unless the
picture changes materially."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from agent.stock_agent import run_stock_agent
from commerce.replenishment import service
from db.pool import Conn
from tests.fix_app import Users

pytestmark = pytest.mark.integration
BIG_CAP = Decimal("10000000")  # the cap is not what these runs are about


async def run(app: FastAPI, **policy: Any) -> Any:
    agents = app.state.agents
    return await run_stock_agent(agents.stock, agents.pool, trigger="drill", policy=replace(agents.policy, **policy))


async def test_under_a_cap_the_most_urgent_watches_are_ordered_and_the_rest_is_reported(
    app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    await conn.execute("DELETE FROM reorder_proposals")
    await conn.execute("UPDATE inventory SET available = 0")  # every watch low: more work than the cap allows
    ranked = [w for w in await service.low_stock_assessments(conn, app.state.agents.policy) if w.proposable_quantity]
    assert len(ranked) > 4
    at_risk = [w.revenue_at_risk for w in ranked]
    assert at_risk == sorted(at_risk, reverse=True), "listed most valuable to order first"
    cap = sum((w.unit_cost * w.proposable_quantity for w in ranked[:3]), Decimal(0))
    result = await run(app, daily_cap_usd=cap)
    ops = await users.ops()
    proposals = (await client.get("/api/v1/ops/reorders", params={"status": "pending"}, headers=ops)).json()["items"]
    assert {p["reference"] for p in proposals} == {w.reference for w in ranked[:3]}
    assert all("Urgency rank" in p["rationale"] for p in proposals)
    decision = (await client.get(f"/api/v1/ops/decisions/{result.decision_id}", headers=ops)).json()
    skipped = {s["subject"]: s["reason"] for s in decision["skipped"]}
    low = {w.reference for w in await service.low_stock_assessments(conn, app.state.agents.policy)}
    assert set(skipped) == low - {p["reference"] for p in proposals}, "every low watch not ordered is accounted for"
    assert all("daily reorder spend cap" in skipped[w.reference] for w in ranked[3:])
    assert "Not proposed:" in result.text
    page = await client.get(f"/ops/decisions/{result.decision_id}", headers=ops)
    assert "Not done" in page.text and ranked[3].reference in page.text


async def test_a_fast_seller_is_not_left_out_for_a_slow_one(app: FastAPI, conn: Conn) -> None:
    await conn.execute("DELETE FROM reorder_proposals")
    await conn.execute("UPDATE inventory SET available = 0")
    ranked = [w for w in await service.low_stock_assessments(conn, app.state.agents.policy) if w.proposable_quantity]
    fastest = max(ranked, key=lambda w: w.daily_demand_mean)
    slowest = min(ranked, key=lambda w: w.daily_demand_mean)
    assert fastest.daily_demand_mean > 5 * slowest.daily_demand_mean
    assert ranked.index(fastest) < ranked.index(slowest)
    result = await run(app, daily_cap_usd=ranked[0].unit_cost * ranked[0].proposable_quantity)
    cur = await conn.execute("SELECT w.reference FROM reorder_proposals p JOIN watches w ON w.id = p.watch_id "
                             "WHERE p.decision_id = %s", (result.decision_id,))
    assert [r["reference"] for r in await cur.fetchall()] == [ranked[0].reference]


async def test_a_rejection_holds_for_its_cool_down_and_its_reason_reaches_the_agent(
    app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    await conn.execute("DELETE FROM reorder_proposals")
    await conn.execute("UPDATE inventory SET available = 1")
    first = await run(app, daily_cap_usd=BIG_CAP)
    ops = await users.ops()
    proposals = (await client.get("/api/v1/ops/reorders", params={"status": "pending"}, headers=ops)).json()["items"]
    target = proposals[0]
    r = await client.post(f"/api/v1/ops/reorders/{target['id']}/reject", json={"reason": "wait a week"}, headers=ops)
    assert r.status_code == 200
    assert str(first.decision_id) == target["decision_id"]

    again = await run(app, daily_cap_usd=BIG_CAP)
    cur = await conn.execute("SELECT count(*) AS n FROM reorder_proposals p JOIN watches w ON w.id = p.watch_id "
                             "WHERE w.reference = %s AND p.status = 'pending'", (target["reference"],))
    assert await cur.fetchone() == {"n": 0}, "not proposed again minutes later"
    listed = next(c for c in again.tool_calls if c.name == "list_low_stock_watches")
    seen = next(w for w in listed.result if w["reference"] == target["reference"])
    assert seen["recent_rejection"]["reason"] == "wait a week"
    decision = (await client.get(f"/api/v1/ops/decisions/{again.decision_id}", headers=ops)).json()
    reason = {s["subject"]: s["reason"] for s in decision["skipped"]}[target["reference"]]
    assert "ops rejected" in reason and "wait a week" in reason

    # The watch sells out: the picture changed materially, so the rejection no longer holds.
    await conn.execute("UPDATE inventory SET available = 0 FROM watches w WHERE w.id = inventory.watch_id "
                       "AND w.reference = %s", (target["reference"],))
    await run(app, daily_cap_usd=BIG_CAP)
    cur = await conn.execute("SELECT count(*) AS n FROM reorder_proposals p JOIN watches w ON w.id = p.watch_id "
                             "WHERE w.reference = %s AND p.status = 'pending'", (target["reference"],))
    assert await cur.fetchone() == {"n": 1}


async def test_with_no_cool_down_a_rejection_does_not_hold(app: FastAPI, conn: Conn) -> None:
    await conn.execute("DELETE FROM reorder_proposals")
    await conn.execute("UPDATE inventory SET available = 1")
    await run(app)
    await conn.execute("UPDATE reorder_proposals SET status = 'rejected', decided_at = now(), "
                       "decision_reason = 'not now'")
    result = await run(app, rejection_cooldown_days=0)
    cur = await conn.execute("SELECT count(*) AS n FROM reorder_proposals WHERE decision_id = %s",
                             (result.decision_id,))
    assert (await cur.fetchone() or {})["n"] > 0
