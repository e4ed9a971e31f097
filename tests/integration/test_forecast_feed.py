"""Demand forecasting reads daily sales from the event log's projection, caught up on the spot: it
equals the order tables' own count, and it is complete even before the relay has run."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI

from db.pool import Conn
from events.feeds import daily_units

pytestmark = pytest.mark.integration


async def from_order_tables(conn: Conn, start: object, end: object) -> list[tuple[int, object, int]]:
    cur = await conn.execute(
        """SELECT oi.watch_id, (o.created_at AT TIME ZONE 'UTC')::date AS day, sum(oi.quantity)::int AS units
           FROM order_items oi JOIN orders o ON o.id = oi.order_id
           WHERE o.status IN ('paid', 'shipped', 'delivered')
             AND (o.created_at AT TIME ZONE 'UTC')::date >= %(a)s AND (o.created_at AT TIME ZONE 'UTC')::date < %(b)s
           GROUP BY 1, 2 ORDER BY 1, 2""", {"a": start, "b": end})
    return [(r["watch_id"], r["day"], r["units"]) for r in await cur.fetchall()]


async def test_the_feed_equals_the_order_tables_and_needs_no_relay(conn: Conn) -> None:
    cur = await conn.execute("SELECT (now() AT TIME ZONE 'UTC')::date AS today")
    today = (await cur.fetchone() or {})["today"]
    start = today - timedelta(days=365)
    fed = await daily_units(conn, start, today + timedelta(days=1))
    assert fed and fed == await from_order_tables(conn, start, today + timedelta(days=1))

    # the projection as it is before the relay's first pass (empty, no checkpoint): the feed brings it
    # up to date from the log on demand
    cur = await conn.execute("SELECT count(*) AS n FROM events")
    before = (await cur.fetchone() or {})["n"]
    await conn.execute("DELETE FROM event_checkpoints WHERE name = 'daily_sales'")
    await conn.execute("DELETE FROM consumed_events WHERE consumer = 'daily_sales'")
    await conn.execute("TRUNCATE read_daily_sales")
    assert await daily_units(conn, start, today + timedelta(days=1)) == fed
    cur = await conn.execute("SELECT count(*) AS n FROM events")
    assert (await cur.fetchone() or {})["n"] == before, "reading appends nothing"


async def test_the_stock_agent_sees_when_each_low_watch_last_sold(app: FastAPI, conn: Conn) -> None:
    from tools.stock import StockContext, list_low_stock_watches

    await conn.execute("UPDATE inventory SET available = 0")  # every watch is low
    ctx = StockContext(pool=app.state.pool, policy=app.state.agents.policy, decision_id=None, trigger="test")
    listed = {w["reference"]: w for w in (await list_low_stock_watches(ctx)).data}
    cur = await conn.execute(
        """SELECT w.reference, sum(oi.quantity)::int AS units, max(o.paid_at) AS last_paid
           FROM order_items oi JOIN orders o ON o.id = oi.order_id JOIN watches w ON w.id = oi.watch_id
           WHERE o.status IN ('paid', 'shipped', 'delivered') GROUP BY w.reference""")
    truth = {r["reference"]: r for r in await cur.fetchall()}
    assert truth
    for reference, row in truth.items():
        if reference in listed:
            seen = listed[reference]
            # the seeded history came into the log as snapshots at start: its sales keep their own time
            assert seen["units_sold_total"] == row["units"]
            assert datetime.fromisoformat(seen["last_sold_at"]) == row["last_paid"]


async def test_refitting_one_watch_keeps_the_shops_season_lifts(app: FastAPI, conn: Conn) -> None:
    from commerce.forecasting.service import refresh_forecasts

    cur = await conn.execute("SELECT season, lift FROM seasonal_lifts ORDER BY season")
    learnt = await cur.fetchall()
    assert {r["season"] for r in learnt} == {"christmas", "fathers_day"}
    assert next(r["lift"] for r in learnt if r["season"] == "christmas") > 1.2, "the seeded December shows"
    cur = await conn.execute("SELECT id FROM watches WHERE reference = 'SRPD77K1'")
    watch = (await cur.fetchone() or {})["id"]
    policy = app.state.agents.policy
    assert await refresh_forecasts(conn, fill_rates=policy.fill_rates, cover_days=policy.cover_days,
                                   sales=daily_units, only={watch}) == 1
    cur = await conn.execute("SELECT season, lift FROM seasonal_lifts ORDER BY season")
    assert await cur.fetchall() == learnt, "learnt from one watch, the lifts would fall back to 1"
