"""Unpaid orders expire and give their stock back exactly once, even racing a payment."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg.rows import dict_row

from commerce.orders.models import OrderStatus
from commerce.payments.service import SUCCEEDED, apply_outcome, expire_unpaid_orders
from db.pool import Conn
from tests.fix_app import Users, build_test_app, make_settings, started
from tests.integration.test_payments import inventory_of, place

pytestmark = pytest.mark.integration



async def age(conn: Conn, order_id: int, minutes: int) -> None:
    await conn.execute("UPDATE orders SET created_at = now() - make_interval(mins => %s) WHERE id = %s",
                       (minutes, order_id))


async def stock_and_status(conn: Conn, order: dict[str, Any]) -> tuple[dict[str, Any], str]:
    cur = await conn.execute("SELECT status FROM orders WHERE id = %s", (order["id"],))
    row = await cur.fetchone()
    assert row is not None
    return await inventory_of(conn, order["items"][0]["reference"]), row["status"]


async def test_expiry_cancels_old_unpaid_orders_once(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = await users.customer()
    old, recent = await place(client, headers), await place(client, headers)
    ref = old["items"][0]["reference"]
    before_old = await inventory_of(conn, ref)
    await age(conn, old["id"], 45)
    assert (await expire_unpaid_orders(conn, older_than=timedelta(minutes=30))).orders == 1
    assert (await expire_unpaid_orders(conn, older_than=timedelta(minutes=30))).orders == 0
    after = await inventory_of(conn, ref)
    assert after["available"] == before_old["available"] + 2
    assert after["reserved"] == before_old["reserved"] - 2
    body = (await client.get(f"/api/v1/orders/{old['id']}", headers=headers)).json()
    assert (body["status"], body["cancel_reason"]) == ("cancelled", "payment window expired")
    assert (await client.get(f"/api/v1/orders/{recent['id']}", headers=headers)).json()["status"] == "pending_payment"


async def test_expiry_racing_a_payment_moves_stock_once(
    client: httpx.AsyncClient, users: Users, db_url: str, conn: Conn
) -> None:
    headers = await users.customer()
    outcomes: list[str] = []
    for attempt in range(8):
        order = await place(client, headers, quantity=1)
        start = (await client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)).json()
        await age(conn, order["id"], 45)
        before = await inventory_of(conn, order["items"][0]["reference"])
        async with await psycopg.AsyncConnection.connect(db_url, autocommit=True, row_factory=dict_row) as a, \
                await psycopg.AsyncConnection.connect(db_url, autocommit=True, row_factory=dict_row) as b:
            expire = expire_unpaid_orders(a, older_than=timedelta(minutes=30))
            pay = apply_outcome(b, event_id=f"evt_race_{order['id']}", source="simulated", event_type=SUCCEEDED,
                                intent_id=start["intent_id"])
            if attempt % 2:  # let each side start first half of the time
                _, paid = await asyncio.gather(expire, pay)
            else:
                paid, _ = await asyncio.gather(pay, expire)
        stock, status = await stock_and_status(conn, order)
        outcomes.append(paid.applied)
        if status == OrderStatus.paid:
            assert paid.applied == "paid"
            assert stock == {"available": before["available"], "reserved": before["reserved"] - 1}
        else:
            assert status == OrderStatus.cancelled
            assert paid.applied == "refund_required"
            assert stock == {"available": before["available"] + 1, "reserved": before["reserved"] - 1}
            cur = await conn.execute("SELECT kind FROM outbox WHERE order_id = %s", (order["id"],))
            assert [r["kind"] for r in await cur.fetchall()] == ["refund_required"]
        cur = await conn.execute("SELECT count(*) AS n FROM stock_movements WHERE order_id = %s AND kind = "
                                 "'order_released'", (order["id"],))
        row = await cur.fetchone()
        assert row is not None
        assert row["n"] == (1 if status == OrderStatus.cancelled else 0)
    assert set(outcomes) <= {"paid", "refund_required"}


async def test_the_scheduler_queues_the_expiry_and_the_worker_runs_it(db_url: str, conn: Conn) -> None:
    settings = make_settings(db_url, SEIKO_SCHEDULER=True, SEIKO_WORKER=True, SEIKO_EXPIRY_SWEEP_SECONDS=1,
                             SEIKO_ORDER_PAYMENT_TIMEOUT_MINUTES=1)
    app: FastAPI
    async for app in started(build_test_app(settings)):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            headers = await Users(client).customer()
            order = await place(client, headers)
            await age(conn, order["id"], 5)
            for _ in range(100):
                status = (await client.get(f"/api/v1/orders/{order['id']}", headers=headers)).json()["status"]
                if status == "cancelled":
                    break
                await asyncio.sleep(0.1)
            assert status == "cancelled"
    cur = await conn.execute("SELECT count(*) AS n FROM procrastinate_jobs WHERE task_name = 'order_expiry' "
                             "AND status = 'succeeded'")
    row = await cur.fetchone()
    assert row is not None and row["n"] >= 1, "the expiry ran as a queued job"
