"""Paying for orders with either provider: the same order-to-paid scenario, failures, retries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from db.pool import Conn
from tests.fakes.stripe_server import StripeFake
from tests.fakes.stripe_signing import intent_event, sign
from tests.fix_app import Users, scrape
from tests.fix_stripe import WEBHOOK_SECRET

pytestmark = pytest.mark.integration


def metric(text: str, name: str) -> float:
    lines = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(lines[0].split()[1]) if lines else 0.0


async def place(client: httpx.AsyncClient, headers: dict[str, str], quantity: int = 2) -> dict[str, Any]:
    watches = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
    watch = next(w for w in watches if w["stock_available"] >= quantity + 2)
    r = await client.post("/api/v1/orders", json={"items": [{"reference": watch["reference"], "quantity": quantity}]},
                          headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def deliver(client: httpx.AsyncClient, payload: bytes, secret: str = WEBHOOK_SECRET,
                  timestamp: int | None = None) -> httpx.Response:
    return await client.post("/api/v1/payments/stripe/webhook", content=payload,
                             headers={"Stripe-Signature": sign(payload, secret, timestamp=timestamp),
                                      "Content-Type": "application/json"})


async def inventory_of(conn: Conn, reference: str) -> dict[str, Any]:
    cur = await conn.execute("SELECT i.available, i.reserved FROM inventory i JOIN watches w ON w.id = i.watch_id "
                             "WHERE w.reference = %s", (reference,))
    row = await cur.fetchone()
    assert row is not None
    return row


async def test_order_to_paid_with_either_provider(
    either_provider: tuple[str, httpx.AsyncClient], stripe_fake: StripeFake, conn: Conn
) -> None:
    provider, client = either_provider
    users = Users(client)
    headers = await users.customer()
    config = (await client.get("/api/v1/payments/config")).json()
    assert config == {"provider": provider, "simulated": provider == "simulated",
                      "publishable_key": None if provider == "simulated" else "pk_test_fake"}
    order = await place(client, headers)
    ref = order["items"][0]["reference"]
    before = await inventory_of(conn, ref)
    revenue_before = metric(scrape(), "orders_revenue_dollars_total")

    r = await client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)
    assert r.status_code == 201, r.text
    start = r.json()
    assert start["provider"] == provider
    assert start["simulated"] is (provider == "simulated")
    assert start["amount_cents"] == int(Decimal(order["total"]) * 100)
    assert start["client_secret"]
    again = (await client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)).json()
    assert again["intent_id"] == start["intent_id"], "a second call resumes the same intent"

    if provider == "simulated":
        r = await client.post(f"/api/v1/orders/{order['id']}/payment/simulate", json={"outcome": "succeeded"},
                              headers=headers)
        assert r.status_code == 200, r.text
    else:
        assert stripe_fake.intents[start["intent_id"]]["amount"] == start["amount_cents"]
        assert stripe_fake.creates()[0][2] == f"seiko-order-{order['id']}-attempt-1"
        stripe_fake.set_status(start["intent_id"], "succeeded")
        r = await deliver(client, intent_event("payment_intent.succeeded", start["intent_id"]))
        assert r.status_code == 200, r.text
        assert r.json()["outcome"] == "paid"

    paid = (await client.get(f"/api/v1/orders/{order['id']}", headers=headers)).json()
    assert paid["status"] == "paid"
    assert paid["payment"]["status"] == "succeeded"
    assert paid["payment"]["simulated"] is (provider == "simulated")
    assert paid["confirmation"]["order_number"] == f"SWS-{order['id']:06d}"
    after = await inventory_of(conn, ref)
    assert after == {"available": before["available"], "reserved": before["reserved"] - 2}
    revenue_after = metric(scrape(), "orders_revenue_dollars_total")
    assert revenue_after - revenue_before == pytest.approx(float(order["total"]))
    cur = await conn.execute("SELECT kind, recipient FROM outbox WHERE order_id = %s", (order["id"],))
    assert [r["kind"] for r in await cur.fetchall()] == ["order_confirmation"]
    r = await client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)
    assert r.status_code == 409
    assert r.json()["code"] == "order_not_payable"


async def test_simulated_failure_then_a_new_attempt(client: httpx.AsyncClient, users: Users) -> None:
    headers = await users.customer()
    order = await place(client, headers)
    failures_before = metric(scrape(), "payment_failures_total")
    r = await client.post(f"/api/v1/orders/{order['id']}/payment/simulate", json={"outcome": "failed"},
                          headers=headers)
    assert r.status_code == 200
    failed = r.json()
    assert failed["status"] == "pending_payment"
    assert failed["payment"]["status"] == "failed"
    assert failed["payment"]["failure_reason"] == "simulated card decline"
    assert metric(scrape(), "payment_failures_total") == failures_before + 1
    first_intent = failed["payment"]["intent_id"]
    retry = (await client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)).json()
    assert retry["intent_id"] != first_intent
    r = await client.post(f"/api/v1/orders/{order['id']}/payment/simulate", json={"outcome": "succeeded"},
                          headers=headers)
    assert r.json()["status"] == "paid"


async def test_each_provider_refuses_the_others_endpoint(
    client: httpx.AsyncClient, stripe_client: httpx.AsyncClient
) -> None:
    headers = await Users(stripe_client).customer()
    order = await place(stripe_client, headers)
    r = await stripe_client.post(f"/api/v1/orders/{order['id']}/payment/simulate", json={"outcome": "succeeded"},
                                 headers=headers)
    assert r.status_code == 404
    r = await deliver(client, intent_event("payment_intent.succeeded", "pi_x"))
    assert r.status_code == 404


async def test_bad_simulate_and_foreign_orders(client: httpx.AsyncClient, users: Users) -> None:
    alice, bob = await users.customer(), await users.customer()
    order = await place(client, alice)
    url = f"/api/v1/orders/{order['id']}/payment/simulate"
    r = await client.post(url, json={"outcome": "maybe"}, headers=alice)
    assert r.status_code == 422
    assert (await client.post(url, json={"outcome": "succeeded"}, headers=bob)).status_code == 404
    assert (await client.post(f"/api/v1/orders/{order['id']}/payment", headers=bob)).status_code == 404


async def test_stripe_500_is_retried_with_the_same_idempotency_key(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake
) -> None:
    headers = await Users(stripe_client).customer()
    order = await place(stripe_client, headers)
    stripe_fake.faults.append("500")
    r = await stripe_client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)
    assert r.status_code == 201, r.text
    creates = stripe_fake.creates()
    assert len(creates) == 2
    assert creates[0][2] == creates[1][2] == f"seiko-order-{order['id']}-attempt-1"
    assert len(stripe_fake.intents) == 1


async def test_stripe_timeouts_answer_502_and_write_nothing(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake, conn: Conn
) -> None:
    headers = await Users(stripe_client).customer()
    order = await place(stripe_client, headers)
    stripe_fake.faults.extend(["timeout"] * 3)  # the first call and both retries
    r = await stripe_client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)
    assert r.status_code == 502
    assert r.json()["code"] == "payment_provider_unavailable"
    cur = await conn.execute("SELECT count(*) AS n FROM payments WHERE order_id = %s", (order["id"],))
    assert await cur.fetchone() == {"n": 0}
    r = await stripe_client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)
    assert r.status_code == 201
    assert len(stripe_fake.intents) == 1, "the retry reused the idempotency key: one intent at Stripe"
