"""Stripe webhooks signed with Stripe's real scheme: verification, duplicates, events out of order."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from db.pool import Conn
from tests.fakes.stripe_server import StripeFake
from tests.fakes.stripe_signing import intent_event, sign
from tests.fix_app import Users, scrape
from tests.fix_stripe import WEBHOOK_SECRET
from tests.integration.test_payments import deliver, metric, place

pytestmark = pytest.mark.integration

SUCCEEDED, FAILED = "payment_intent.succeeded", "payment_intent.payment_failed"


async def pending_payment(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any], str]:
    headers = await Users(client).customer()
    order = await place(client, headers)
    start = (await client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)).json()
    return headers, order, start["intent_id"]


async def order_status(client: httpx.AsyncClient, headers: dict[str, str], order_id: int) -> str:
    return str((await client.get(f"/api/v1/orders/{order_id}", headers=headers)).json()["status"])


async def events_seen(conn: Conn) -> int:
    cur = await conn.execute("SELECT count(*) AS n FROM payment_events")
    row = await cur.fetchone()
    return int(row["n"]) if row else 0


async def test_signature_failures_are_refused_and_change_nothing(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake, conn: Conn
) -> None:
    headers, order, intent = await pending_payment(stripe_client)
    stripe_fake.set_status(intent, "succeeded")
    payload = intent_event(SUCCEEDED, intent)
    url = "/api/v1/payments/stripe/webhook"
    cases = {
        "wrong secret": await deliver(stripe_client, payload, secret="whsec_someone_else"),
        "stale timestamp": await deliver(stripe_client, payload, timestamp=int(time.time()) - 301),
        "body changed after signing": await stripe_client.post(
            url, content=payload.replace(b'"succeeded"', b'"processing"', 1),
            headers={"Stripe-Signature": sign(payload, WEBHOOK_SECRET)}),
        "no signature": await stripe_client.post(url, content=payload),
        "not json": await stripe_client.post(url, content=b"{oops", headers={"Stripe-Signature": sign(b"{oops",
                                                                                                     WEBHOOK_SECRET)}),
    }
    for name, r in cases.items():
        assert r.status_code == 400, name
        assert r.headers["content-type"].startswith("application/problem+json"), name
        assert r.json()["code"] == "invalid_signature", name
    assert await events_seen(conn) == 0
    assert await order_status(stripe_client, headers, order["id"]) == "pending_payment"
    fresh = await deliver(stripe_client, payload, timestamp=int(time.time()) - 250)  # inside the 300 s tolerance
    assert fresh.status_code == 200
    assert await order_status(stripe_client, headers, order["id"]) == "paid"


async def test_the_same_event_five_times_changes_state_once(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake, conn: Conn
) -> None:
    _, order, intent = await pending_payment(stripe_client)
    stripe_fake.set_status(intent, "succeeded")
    payload = intent_event(SUCCEEDED, intent, event_id="evt_same_one")
    revenue = metric(scrape(), "orders_revenue_dollars_total")
    outcomes = [(await deliver(stripe_client, payload)).json()["outcome"] for _ in range(5)]
    assert outcomes == ["paid"] + ["duplicate"] * 4
    assert metric(scrape(), "orders_revenue_dollars_total") == pytest.approx(
        revenue + float(order["total"]))
    cur = await conn.execute("SELECT count(*) AS n FROM outbox WHERE order_id = %s", (order["id"],))
    assert await cur.fetchone() == {"n": 1}
    cur = await conn.execute("SELECT count(*) AS n FROM stock_movements WHERE order_id = %s", (order["id"],))
    assert await cur.fetchone() == {"n": 1}, "only the reservation; paying moves no stock twice"


async def test_succeeded_then_a_late_failure_stays_paid(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake
) -> None:
    headers, order, intent = await pending_payment(stripe_client)
    failures = metric(scrape(), "payment_failures_total")
    stripe_fake.set_status(intent, "succeeded")
    assert (await deliver(stripe_client, intent_event(SUCCEEDED, intent))).json()["outcome"] == "paid"
    late = await deliver(stripe_client, intent_event(FAILED, intent, status="requires_payment_method"))
    assert late.status_code == 200
    assert late.json()["outcome"] in ("already_paid", "ignored_late_failure")
    body = (await stripe_client.get(f"/api/v1/orders/{order['id']}", headers=headers)).json()
    assert (body["status"], body["payment"]["status"]) == ("paid", "succeeded")
    assert metric(scrape(), "payment_failures_total") == failures


async def test_failed_then_succeeded_ends_paid(stripe_client: httpx.AsyncClient, stripe_fake: StripeFake) -> None:
    headers, order, intent = await pending_payment(stripe_client)
    failures = metric(scrape(), "payment_failures_total")
    first = await deliver(stripe_client, intent_event(FAILED, intent, status="requires_payment_method"))
    assert first.json()["outcome"] == "failed"
    assert metric(scrape(), "payment_failures_total") == failures + 1
    assert await order_status(stripe_client, headers, order["id"]) == "pending_payment"
    stripe_fake.set_status(intent, "succeeded")  # the customer tried another card on the same intent
    assert (await deliver(stripe_client, intent_event(SUCCEEDED, intent))).json()["outcome"] == "paid"
    assert await order_status(stripe_client, headers, order["id"]) == "paid"


async def test_a_stale_failure_is_checked_against_stripe(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake
) -> None:
    """The failure arrives after the intent already succeeded at Stripe, before the success event."""
    headers, order, intent = await pending_payment(stripe_client)
    stripe_fake.set_status(intent, "succeeded")
    r = await deliver(stripe_client, intent_event(FAILED, intent, status="requires_payment_method"))
    assert r.json()["outcome"] == "paid"
    assert ("GET", f"/v1/payment_intents/{intent}", None) in stripe_fake.requests
    assert await order_status(stripe_client, headers, order["id"]) == "paid"


async def test_unknown_event_types_and_intents_are_acknowledged_and_ignored(
    stripe_client: httpx.AsyncClient, conn: Conn
) -> None:
    r = await deliver(stripe_client, intent_event("charge.refund.updated", "ch_123"))
    assert r.status_code == 200
    assert r.json()["outcome"] == "ignored_event_type"
    r = await deliver(stripe_client, intent_event(SUCCEEDED, "pi_not_ours"))
    assert r.json()["outcome"] == "unknown_intent"
    assert await events_seen(conn) == 2


@pytest.mark.parametrize("shape", [
    {"id": "evt_nodata", "object": "event", "type": "payment_intent.succeeded"},
    {"id": "evt_nulldata", "object": "event", "type": "payment_intent.succeeded", "data": None},
    {"id": "evt_noobject", "object": "event", "type": "payment_intent.succeeded", "data": {}},
    {"id": "evt_listobject", "object": "event", "type": "payment_intent.succeeded", "data": {"object": [1]}},
    {"id": "evt_notype", "object": "event", "data": {"object": {"id": "pi_1"}}},
])
async def test_a_signed_event_without_its_data_is_a_400_not_a_500(
        stripe_client: httpx.AsyncClient, shape: dict[str, Any]) -> None:
    r = await deliver(stripe_client, json.dumps(shape).encode())
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "malformed_event"
