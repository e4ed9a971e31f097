"""The reorder guardrails hold whatever the number of workers: the daily spend cap is never exceeded by
a cent and no watch gets two open proposals, with proposals racing on separate connections."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.jobs_wiring import JobHandlers, build_job_queue, build_worker
from app.runtime import job_handlers
from commerce.replenishment import service
from commerce.replenishment.models import ReorderPolicy
from db.pool import Conn, open_pool
from tests.fix_app import ALERT_TOKEN, make_settings
from tests.integration.test_stock_agent import alert, payload

pytestmark = pytest.mark.integration
POLICY = make_settings("postgresql://unused").reorder_policy


def app_handlers(app: FastAPI, db_url: str) -> JobHandlers:
    return job_handlers(make_settings(db_url), app.state.pool, app.state.services, app.state.agents)


async def low_watches(conn: Conn, policy: ReorderPolicy) -> list[Any]:
    """Every watch made to need a reorder: nothing available, nothing on order."""
    await conn.execute("DELETE FROM reorder_proposals")
    await conn.execute("UPDATE inventory SET available = 0")
    return [w for w in await service.low_stock_assessments(conn, policy) if w.proposable_quantity > 0]


async def proposed_today(conn: Conn) -> tuple[Decimal, int, int]:
    cur = await conn.execute("SELECT coalesce(sum(total_cost), 0) AS usd, count(*) AS n, "
                             "count(DISTINCT watch_id) AS watches FROM reorder_proposals")
    row = await cur.fetchone()
    assert row is not None
    return Decimal(row["usd"]), int(row["n"]), int(row["watches"])


async def test_twenty_racing_proposals_never_exceed_the_daily_cap(db_url: str, conn: Conn) -> None:
    watches = (await low_watches(conn, POLICY))[:20]
    assert len(watches) == 20
    costs = sorted(w.unit_cost * w.proposable_quantity for w in watches)
    # A cap that fits a few of them, so most must be refused, and the race is over the last cent.
    policy = replace(POLICY, daily_cap_usd=sum(costs[:3], Decimal(0)) + Decimal("0.01"))
    pool = await open_pool(db_url, min_size=20, max_size=20)
    try:
        async def one(w: Any) -> Any:
            async with pool.connection() as own:
                return await service.propose(own, reference=w.reference, quantity=w.proposable_quantity,
                                             rationale="race", policy=policy, decision_id=None, trigger="test")

        outcomes = await asyncio.gather(*(one(w) for w in watches))
    finally:
        await pool.close()
    total, count, distinct = await proposed_today(conn)
    assert total <= policy.daily_cap_usd
    assert count == distinct, "one open proposal per watch"
    refused = [o for o in outcomes if isinstance(o, service.Refusal)]
    assert refused and all("daily reorder spend cap" in r.reason for r in refused)
    assert count == len(outcomes) - len(refused) >= 1


async def test_the_same_watch_proposed_twenty_times_at_once_gets_one_proposal(db_url: str, conn: Conn) -> None:
    (w, *_) = await low_watches(conn, POLICY)
    pool = await open_pool(db_url, min_size=20, max_size=20)
    try:
        async def one() -> Any:
            async with pool.connection() as own:
                return await service.propose(own, reference=w.reference, quantity=w.proposable_quantity,
                                             rationale="race", policy=POLICY, decision_id=None, trigger="test")

        outcomes = await asyncio.gather(*(one() for _ in range(20)))
    finally:
        await pool.close()
    assert sum(not isinstance(o, service.Refusal) for o in outcomes) == 1
    assert (await proposed_today(conn))[1] == 1


async def test_four_workers_and_twenty_alerts_stay_inside_the_cap(
    app: FastAPI, client: httpx.AsyncClient, db_url: str, conn: Conn
) -> None:
    watches = await low_watches(conn, POLICY)
    cap = sum(sorted(w.unit_cost * w.proposable_quantity for w in watches)[:4], Decimal(0))
    agents = replace(app.state.agents, policy=replace(POLICY, daily_cap_usd=cap))
    auth = {"Authorization": f"Bearer {ALERT_TOKEN}"}
    for i in range(20):
        r = await client.post("/api/v1/alerts/alertmanager", json=payload(alert(f"fp-race-{i:02d}")), headers=auth)
        assert r.json()["queued"] == 1
    # Four workers as four processes would have them: each its own pool, queue and procrastinate app.
    settings = make_settings(db_url)
    pools = [await open_pool(db_url, min_size=1, max_size=2) for _ in range(4)]
    queues = [build_job_queue(settings, db_url, replace(app_handlers(app, db_url), pool=pool, agents=agents))
              for pool in pools]
    try:
        workers = [build_worker(settings, queue, name=f"w{i}") for i, queue in enumerate(queues)]
        await asyncio.gather(*(w.run_once() for w in workers))
    finally:
        for queue in queues:
            await queue.close()
        for pool in pools:
            await pool.close()
    total, count, distinct = await proposed_today(conn)
    assert 0 < total <= cap
    assert count == distinct
    cur = await conn.execute("SELECT count(*) AS n FROM decisions WHERE agent = 'stock' AND outcome = 'completed'")
    assert await cur.fetchone() == {"n": 20}, "every alert's run ran exactly once"
