"""Orders from their events: after a randomized (seeded) workload through the real services, the pure
fold of each order's events, the live projections and `seiko events replay` all equal the live
tables exactly; the read models for the dashboard and forecasting agree with the write side."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from commerce.orders import repo as orders_repo
from commerce.payments.service import expire_unpaid_orders
from db.pool import Conn
from events import read_models
from events import repo as events_repo
from events.fold import OrderState, fold
from events.projections import all_consumers
from events.relay import InProcessPublisher, Relay
from tests.fix_app import Users

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]

LIVE_ORDERS = """
    SELECT o.id AS order_id, o.customer_id, o.status, o.total, coalesce(o.subtotal, o.total) AS subtotal,
           o.shipping_method, o.shipping_cost, o.tax_rate, o.tax, o.ship_to, o.currency, o.created_at, o.updated_at,
           o.paid_at, o.cancelled_at, o.cancel_reason, o.refunded_at,
           (SELECT jsonb_agg(jsonb_build_object('watch_id', oi.watch_id, 'quantity', oi.quantity,
                                                'unit_price', oi.unit_price::text) ORDER BY oi.watch_id)
            FROM order_items oi WHERE oi.order_id = o.id) AS lines
    FROM orders o ORDER BY o.id"""
READ_ORDERS = """
    SELECT order_id, customer_id, status, total, subtotal, shipping_method, shipping_cost, tax_rate, tax, ship_to,
           currency, created_at, updated_at, paid_at, cancelled_at, cancel_reason, refunded_at,
           (SELECT jsonb_agg(x ORDER BY (x ->> 'watch_id')::bigint) FROM jsonb_array_elements(lines) x) AS lines
    FROM read_orders ORDER BY order_id"""
LIVE_DAILY_SALES = """
    SELECT oi.watch_id, (o.created_at AT TIME ZONE 'UTC')::date AS day, sum(oi.quantity)::int AS units,
           sum(oi.quantity * oi.unit_price) AS revenue
    FROM order_items oi JOIN orders o ON o.id = oi.order_id
    WHERE o.status IN ('paid', 'shipped', 'delivered') GROUP BY 1, 2 ORDER BY 1, 2"""


def as_state(row: dict[str, Any]) -> OrderState:
    from decimal import Decimal

    lines = tuple((int(x["watch_id"]), int(x["quantity"]), Decimal(x["unit_price"])) for x in row["lines"] or [])
    return OrderState(**{**{k: v for k, v in row.items() if k != "lines"}, "lines": lines})


async def rows(conn: Conn, query: str) -> list[dict[str, Any]]:
    cur = await conn.execute(query)
    return await cur.fetchall()


class Workload:
    """Shoppers and staff doing what they do, in an order a seeded generator picks."""

    def __init__(self, client: httpx.AsyncClient, conn: Conn, rng: random.Random) -> None:
        self.client, self.conn, self.rng = client, conn, rng
        self.orders: dict[int, tuple[dict[str, str], str]] = {}  # id -> (owner's headers, last known status)

    async def setup(self, users: Users) -> None:
        self.shoppers = [await users.customer() for _ in range(4)]
        self.admin = await users.admin()
        watches = (await self.client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
        self.references = [w["reference"] for w in watches if w["stock_available"] >= 3][:8]

    def pick(self, status: str) -> tuple[int, dict[str, str]] | None:
        found = sorted(i for i, (_, s) in self.orders.items() if s == status)
        if not found:
            return None
        order_id = self.rng.choice(found)
        return order_id, self.orders[order_id][0]

    async def step(self) -> None:
        action = self.rng.choices(["place", "pay", "decline", "cancel", "ship", "deliver", "refund", "adjust",
                                   "expire"], weights=[6, 4, 1, 1, 2, 1, 2, 1, 1])[0]
        await getattr(self, action)()

    async def place(self) -> None:
        headers = self.rng.choice(self.shoppers)
        refs = self.rng.sample(self.references, self.rng.randint(1, 2))
        r = await self.client.post("/api/v1/orders", headers=headers, json={
            "items": [{"reference": ref, "quantity": self.rng.randint(1, 2)} for ref in refs]})
        if r.status_code == 201:
            self.orders[r.json()["id"]] = (headers, "pending_payment")

    async def _simulate(self, outcome: str) -> None:
        if (picked := self.pick("pending_payment")) is None:
            return
        order_id, headers = picked
        r = await self.client.post(f"/api/v1/orders/{order_id}/payment/simulate", json={"outcome": outcome},
                                   headers=headers)
        assert r.status_code == 200, r.text
        self.orders[order_id] = (headers, r.json()["status"])

    async def pay(self) -> None:
        await self._simulate("succeeded")

    async def decline(self) -> None:
        await self._simulate("failed")

    async def cancel(self) -> None:
        if (picked := self.pick("pending_payment")) is None:
            return
        order_id, headers = picked
        r = await self.client.post(f"/api/v1/orders/{order_id}/cancel", headers=headers)
        assert r.status_code == 200, r.text
        self.orders[order_id] = (headers, "cancelled")

    async def _move(self, status: str, to: str) -> None:
        if (picked := self.pick(status)) is None:
            return
        order_id, headers = picked
        r = await self.client.patch(f"/api/v1/admin/orders/{order_id}", json={"status": to}, headers=self.admin)
        assert r.status_code == 200, r.text
        self.orders[order_id] = (headers, to)

    async def ship(self) -> None:
        await self._move("paid", "shipped")

    async def deliver(self) -> None:
        await self._move("shipped", "delivered")

    async def refund(self) -> None:
        if (picked := self.pick("paid")) is None:
            return
        order_id, headers = picked
        if self.rng.random() < 0.5:  # half the time the customer asks first
            r = await self.client.post(f"/api/v1/orders/{order_id}/refund", json={"reason": "too big"}, headers=headers)
            assert r.status_code == 202, r.text
        r = await self.client.post(f"/api/v1/orders/{order_id}/refund", json={}, headers=self.admin)
        assert r.status_code == 200, r.text
        self.orders[order_id] = (headers, "refunded")

    async def adjust(self) -> None:
        r = await self.client.post(f"/api/v1/admin/inventory/{self.rng.choice(self.references)}/adjustments",
                                   json={"delta": self.rng.randint(1, 3), "reason": "cycle count"}, headers=self.admin)
        assert r.status_code == 201, r.text

    async def expire(self) -> None:
        # Every unpaid order is past a zero-length window: the sweep cancels them all.
        await expire_unpaid_orders(self.conn, older_than=timedelta(0))
        for order_id, (headers, status) in list(self.orders.items()):
            if status == "pending_payment":
                self.orders[order_id] = (headers, "cancelled")


async def drive(app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn, *, seed: int,
                steps: int) -> Workload:
    work = Workload(client, conn, random.Random(seed))
    await work.setup(users)
    relay = Relay(app.state.pool, InProcessPublisher(app.state.pool, all_consumers()), batch=50)
    for n in range(steps):
        await work.step()
        if n % 10 == 0:
            await relay.drain()  # live projections catch up now and then, mid-workload
    await relay.drain()
    return work


def replay_cli(db_url: str, tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEIKO_", "KAFKA_"))}
    env.update(DATABASE_URL=db_url, SEIKO_DATA_DIR=str(tmp_path / "data"), SEIKO_INDEX_ON_START="false",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p))
    done = subprocess.run([sys.executable, "-m", "app", "events", "replay"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stderr


async def read_model_tables(conn: Conn) -> dict[str, list[dict[str, Any]]]:
    return {
        "orders": await rows(conn, READ_ORDERS),
        "status": await rows(conn, "SELECT status, orders FROM read_order_status_counts WHERE orders <> 0 ORDER BY 1"),
        "daily": await rows(conn, "SELECT * FROM read_daily_orders WHERE orders_placed <> 0 OR revenue <> 0 "
                                  "ORDER BY day"),
        "sales": await rows(conn, "SELECT * FROM read_daily_sales WHERE units <> 0 ORDER BY watch_id, day"),
        "demand": await rows(conn, "SELECT watch_id, units_sold FROM read_demand_signals WHERE units_sold <> 0 "
                                   "ORDER BY watch_id"),
    }


@pytest.mark.parametrize("seed", [7, 2026])
async def test_replay_rebuilds_the_live_tables_exactly(app: FastAPI, client: httpx.AsyncClient, users: Users,
                                                       conn: Conn, db_url: str, tmp_path: Path, seed: int) -> None:
    work = await drive(app, client, users, conn, seed=seed, steps=120)
    assert len({s for _, s in work.orders.values()}) >= 4 and len(work.orders) >= 10

    live = await rows(conn, LIVE_ORDERS)
    # 1. The pure fold of each order's events is the order.
    for row in live:
        events = await events_repo.for_aggregate(conn, aggregate_type="order", subject=str(row["order_id"]))
        assert fold(events) == as_state(row), row["order_id"]
    # 2. The projections fed live by the relay are the order tables.
    assert await rows(conn, READ_ORDERS) == live
    fed = await read_model_tables(conn)
    # 3. `seiko events replay` rebuilds the same tables from the log alone, twice over.
    replay_cli(db_url, tmp_path)
    assert await read_model_tables(conn) == fed
    assert "order_history: rebuilt" in replay_cli(db_url, tmp_path)
    assert await read_model_tables(conn) == fed
    assert fed["orders"] == live

    # The dashboard's figures and the daily sales agree with the write side.
    counts = await orders_repo.count_by_status(conn)
    figures = await read_models.dashboard_figures(conn, since=date(1970, 1, 1))
    assert figures.orders_by_status == counts
    assert figures.revenue_total == (await orders_repo.revenue_summary(conn))["revenue_total"]
    assert figures.orders_since == sum(counts.values())
    assert [(r["watch_id"], r["day"], r["units"], r["revenue"]) for r in fed["sales"]] == [
        (r["watch_id"], r["day"], r["units"], r["revenue"]) for r in await rows(conn, LIVE_DAILY_SALES)]
    signals = await read_models.demand_signals(conn)
    assert {w: s.units_sold for w, s in signals.items() if s.units_sold} == {
        r["watch_id"]: r["units_sold"] for r in fed["demand"]}
    assert sum(s.units_sold for s in signals.values()) == sum(r["units"] for r in fed["sales"])
    days = [r["day"] for r in fed["sales"]]
    window = await read_models.daily_sales(conn, since=min(days), until=max(days))
    assert sum(s.units for s in window) == sum(r["units"] for r in fed["sales"])
    # Notices: one confirmation per paid order, one refund notice per refund, each once.
    cur = await conn.execute("SELECT kind, count(*) AS n FROM notices GROUP BY kind ORDER BY kind")
    notices = {r["kind"]: r["n"] for r in await cur.fetchall()}
    cur = await conn.execute("SELECT count(*) FILTER (WHERE type = 'order.paid') AS paid, "
                             "count(*) FILTER (WHERE type = 'order.refunded') AS refunded FROM events")
    made = await cur.fetchone()
    assert made is not None
    assert notices.get("order_confirmation", 0) == made["paid"] > 0
    assert notices.get("refund_notice", 0) == made["refunded"]
