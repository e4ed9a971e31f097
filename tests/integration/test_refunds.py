"""Paid orders are refunded, not cancelled: a customer asks, an admin refunds through the provider
(simulated, or Stripe through the real SDK against the fake), and the order becomes `refunded` with
its units back on the shelf only when the refund succeeded, exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from commerce.payments.service import SUCCEEDED, Expired, apply_outcome, expire_unpaid_orders
from db.pool import Conn
from tests.fakes.stripe_server import StripeFake
from tests.fakes.stripe_signing import intent_event, refund_event
from tests.fix_app import Users
from tests.integration.test_order_expiry import age
from tests.integration.test_payments import deliver, inventory_of, place

pytestmark = pytest.mark.integration


async def paid_order(provider: str, client: httpx.AsyncClient, fake: StripeFake, headers: dict[str, str],
                     quantity: int = 2) -> dict[str, Any]:
    order = await place(client, headers, quantity=quantity)
    start = (await client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)).json()
    if provider == "simulated":
        r = await client.post(f"/api/v1/orders/{order['id']}/payment/simulate", json={"outcome": "succeeded"},
                              headers=headers)
        assert r.status_code == 200, r.text
    else:
        fake.set_status(start["intent_id"], "succeeded")
        assert (await deliver(client, intent_event(SUCCEEDED, start["intent_id"]))).json()["outcome"] == "paid"
    return {**order, "intent_id": start["intent_id"]}


async def movements(conn: Conn, order_id: int) -> list[tuple[str, int]]:
    cur = await conn.execute("SELECT kind, delta FROM stock_movements WHERE order_id = %s ORDER BY id", (order_id,))
    return [(r["kind"], r["delta"]) for r in await cur.fetchall()]


async def get(client: httpx.AsyncClient, headers: dict[str, str], order_id: int) -> dict[str, Any]:
    return dict((await client.get(f"/api/v1/orders/{order_id}", headers=headers)).json())


async def test_a_paid_order_cannot_be_cancelled(
    either_provider: tuple[str, httpx.AsyncClient], stripe_fake: StripeFake, conn: Conn
) -> None:
    provider, client = either_provider
    users = Users(client)
    headers, admin = await users.customer(), await users.admin()
    order = await paid_order(provider, client, stripe_fake, headers)
    ref = order["items"][0]["reference"]
    stock = await inventory_of(conn, ref)
    r = await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=headers)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "order_paid"
    # Nor by hand in the ops console: a paid order leaves through a refund.
    r = await client.patch(f"/api/v1/admin/orders/{order['id']}", json={"status": "cancelled"}, headers=admin)
    assert (r.status_code, r.json()["code"]) == (409, "order_paid")
    r = await client.patch(f"/api/v1/admin/orders/{order['id']}", json={"status": "refunded"}, headers=admin)
    assert (r.status_code, r.json()["code"]) == (409, "invalid_status_transition")
    after = await get(client, headers, order["id"])
    assert (after["status"], after["payment"]["status"], after["refund"]) == ("paid", "succeeded", None)
    assert await inventory_of(conn, ref) == stock


async def test_customer_asks_admin_refunds_stock_returns_once(
    either_provider: tuple[str, httpx.AsyncClient], stripe_fake: StripeFake, conn: Conn
) -> None:
    provider, client = either_provider
    users = Users(client)
    headers, admin = await users.customer(), await users.admin()
    order = await paid_order(provider, client, stripe_fake, headers, quantity=2)
    ref = order["items"][0]["reference"]
    paid_stock = await inventory_of(conn, ref)

    r = await client.post(f"/api/v1/orders/{order['id']}/refund", json={"reason": "Too big for my wrist"},
                          headers=headers)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "paid"
    assert r.json()["refund"]["status"] == "requested"
    assert r.json()["refund"]["reason"] == "Too big for my wrist"
    again = await client.post(f"/api/v1/orders/{order['id']}/refund", headers=headers)
    assert again.status_code == 202
    assert await inventory_of(conn, ref) == paid_stock, "a request moves no stock"
    assert stripe_fake.refund_creates() == []

    r = await client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "refunded"
    assert body["refunded_at"] is not None
    assert body["refund"]["status"] == "succeeded"
    assert body["refund"]["amount_cents"] == order_cents(order)
    assert await inventory_of(conn, ref) == {"available": paid_stock["available"] + 2,
                                             "reserved": paid_stock["reserved"]}
    assert await movements(conn, order["id"]) == [("order_reserved", -2), ("order_refunded", 2)]
    if provider == "stripe":
        (create,) = stripe_fake.refund_creates()
        (refund,) = stripe_fake.refunds.values()
        assert (refund["payment_intent"], refund["amount"]) == (order["intent_id"], order_cents(order))
        assert create[2] is not None and create[2].startswith("seiko-refund-")

    # Nothing more to refund, cancel or pay; stock stays where it is.
    for path, who in (("refund", admin), ("refund", headers), ("cancel", headers)):
        r = await client.post(f"/api/v1/orders/{order['id']}/{path}", headers=who)
        assert r.status_code == 409, (path, r.text)
    assert await inventory_of(conn, ref) == {"available": paid_stock["available"] + 2,
                                             "reserved": paid_stock["reserved"]}
    listed = (await client.get("/api/v1/orders", headers=headers)).json()["items"]
    assert [o["status"] for o in listed if o["id"] == order["id"]] == ["refunded"]


def order_cents(order: dict[str, Any]) -> int:
    return int(order["total"].replace(".", ""))


async def test_unpaid_and_foreign_orders_are_not_refundable(client: httpx.AsyncClient, users: Users) -> None:
    alice, bob, admin = await users.customer(), await users.customer(), await users.admin()
    order = await place(client, alice)
    r = await client.post(f"/api/v1/orders/{order['id']}/refund", headers=alice)
    assert (r.status_code, r.json()["code"]) == (409, "order_not_refundable")
    r = await client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)
    assert (r.status_code, r.json()["code"]) == (409, "order_not_refundable")
    assert (await client.post(f"/api/v1/orders/{order['id']}/refund", headers=bob)).status_code == 404
    r = await client.post(f"/api/v1/orders/{order['id']}/refund", json={"reason": "x" * 501}, headers=alice)
    assert r.status_code == 422
    assert (await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=alice)).status_code == 200


async def test_stripe_refuses_then_a_second_refund_succeeds(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake, conn: Conn
) -> None:
    users = Users(stripe_client)
    headers, admin = await users.customer(), await users.admin()
    order = await paid_order("stripe", stripe_client, stripe_fake, headers)
    ref = order["items"][0]["reference"]
    paid_stock = await inventory_of(conn, ref)
    stripe_fake.refund_status = "failed"
    r = await stripe_client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)
    assert r.status_code == 409
    assert r.json()["code"] == "refund_failed"
    assert "expired_or_canceled_card" in r.json()["detail"]
    body = await get(stripe_client, headers, order["id"])
    assert (body["status"], body["refund"]["status"]) == ("paid", "failed")
    assert await inventory_of(conn, ref) == paid_stock

    stripe_fake.refund_status = "succeeded"
    r = await stripe_client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "refunded"
    keys = [key for _, _, key in stripe_fake.refund_creates()]
    assert len(keys) == len(set(keys)) == 2, "a new refund after a failed one has its own key"
    assert await movements(conn, order["id"]) == [("order_reserved", -2), ("order_refunded", 2)]


async def test_pending_refund_is_settled_by_its_webhook_once(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake, conn: Conn
) -> None:
    users = Users(stripe_client)
    headers, admin = await users.customer(), await users.admin()
    order = await paid_order("stripe", stripe_client, stripe_fake, headers)
    ref = order["items"][0]["reference"]
    paid_stock = await inventory_of(conn, ref)
    stripe_fake.refund_status = "pending"
    r = await stripe_client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)
    assert r.status_code == 202, r.text
    assert (r.json()["status"], r.json()["refund"]["status"]) == ("paid", "pending")
    # Asking again while Stripe works on it sends nothing new.
    assert (await stripe_client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)).status_code == 202
    assert len(stripe_fake.refund_creates()) == 1
    assert await inventory_of(conn, ref) == paid_stock

    (refund,) = stripe_fake.refunds.values()
    settled = refund_event(refund, status="succeeded", event_id="evt_refund_done")
    outcomes = [(await deliver(stripe_client, settled)).json()["outcome"] for _ in range(3)]
    assert outcomes == ["refunded", "duplicate", "duplicate"]
    # The same news under another event id (Stripe also sends refund.created, charge.refunded).
    other = await deliver(stripe_client, refund_event(refund, event_type="refund.created", status="succeeded"))
    assert other.json()["outcome"] == "already_settled"
    late_failure = await deliver(stripe_client, refund_event(refund, event_type="refund.failed", status="failed"))
    assert late_failure.json()["outcome"] == "already_settled"
    body = await get(stripe_client, headers, order["id"])
    assert (body["status"], body["refund"]["status"]) == ("refunded", "succeeded")
    assert await inventory_of(conn, ref) == {"available": paid_stock["available"] + 2,
                                             "reserved": paid_stock["reserved"]}
    assert await movements(conn, order["id"]) == [("order_reserved", -2), ("order_refunded", 2)]
    unknown = await deliver(stripe_client, refund_event({"id": "re_nobody", "object": "refund", "metadata": {}},
                                                        status="succeeded"))
    assert unknown.json()["outcome"] == "unknown_refund"


async def test_refund_whose_answer_was_lost_is_found_by_its_webhook(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake, conn: Conn
) -> None:
    """Stripe made the refund but every answer timed out (as after a crash): the refund stays pending
    with no Stripe id; the webhook names it by metadata, and the admin's retry reuses the same key."""
    users = Users(stripe_client)
    headers, admin = await users.customer(), await users.admin()
    order = await paid_order("stripe", stripe_client, stripe_fake, headers)
    ref = order["items"][0]["reference"]
    paid_stock = await inventory_of(conn, ref)
    stripe_fake.stall_seconds = 1.5
    stripe_fake.faults = ["timeout"] * 3  # the first try and both SDK retries
    r = await stripe_client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)
    assert (r.status_code, r.json()["code"]) == (502, "payment_provider_unavailable")
    body = await get(stripe_client, headers, order["id"])
    assert (body["status"], body["refund"]["status"]) == ("paid", "pending")
    (refund,) = stripe_fake.refunds.values()
    assert len({key for _, _, key in stripe_fake.refund_creates()}) == 1

    # The admin retries before the webhook arrives: the same key, so Stripe answers with the same refund.
    r = await stripe_client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "refunded"
    assert len(stripe_fake.refunds) == 1
    assert len({key for _, _, key in stripe_fake.refund_creates()}) == 1
    webhook = await deliver(stripe_client, refund_event({**refund, "id": refund["id"]}, status="succeeded"))
    assert webhook.json()["outcome"] == "already_settled"
    assert await movements(conn, order["id"]) == [("order_reserved", -2), ("order_refunded", 2)]
    assert await inventory_of(conn, ref) == {"available": paid_stock["available"] + 2,
                                             "reserved": paid_stock["reserved"]}


async def test_webhook_settles_a_refund_known_only_by_its_metadata(
    stripe_client: httpx.AsyncClient, stripe_fake: StripeFake, conn: Conn
) -> None:
    users = Users(stripe_client)
    headers, admin = await users.customer(), await users.admin()
    order = await paid_order("stripe", stripe_client, stripe_fake, headers)
    stripe_fake.stall_seconds = 1.5
    stripe_fake.faults = ["timeout"] * 3
    assert (await stripe_client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)).status_code == 502
    (refund,) = stripe_fake.refunds.values()
    r = await deliver(stripe_client, refund_event(refund, status="succeeded"))
    assert r.json()["outcome"] == "refunded"
    assert (await get(stripe_client, headers, order["id"]))["status"] == "refunded"
    cur = await conn.execute("SELECT provider_refund_id, status FROM refunds WHERE order_id = %s", (order["id"],))
    assert await cur.fetchall() == [{"provider_refund_id": refund["id"], "status": "succeeded"}]


async def test_refund_racing_an_expiry_returns_stock_once(
    client: httpx.AsyncClient, users: Users, db_url: str, conn: Conn
) -> None:
    """The payment window closes as the payment lands: the order ends paid or cancelled with a late
    payment. Either way the admin's refund ends it `refunded` with every unit back exactly once."""
    headers, admin = await users.customer(), await users.admin()
    endings = set()
    for attempt in range(6):
        order = await place(client, headers, quantity=1)
        ref = order["items"][0]["reference"]
        start = (await client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)).json()
        await age(conn, order["id"], 45)
        async with await psycopg.AsyncConnection.connect(db_url, autocommit=True, row_factory=dict_row) as a, \
                await psycopg.AsyncConnection.connect(db_url, autocommit=True, row_factory=dict_row) as b:
            expire = expire_unpaid_orders(a, older_than=timedelta(minutes=30))
            pay = apply_outcome(b, event_id=f"evt_refund_race_{order['id']}", source="simulated",
                                event_type=SUCCEEDED, intent_id=start["intent_id"])
            results = await asyncio.gather(expire, pay) if attempt % 2 else await asyncio.gather(pay, expire)
        endings.add((await get(client, headers, order["id"]))["status"])
        assert {r.applied for r in results if not isinstance(r, Expired)} <= {"paid", "refund_required"}
        before_refund = await inventory_of(conn, ref)
        r = await client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "refunded"
        again = await client.post(f"/api/v1/orders/{order['id']}/refund", headers=admin)
        assert (again.status_code, again.json()["code"]) == (409, "order_not_refundable")
        kinds = [kind for kind, _ in await movements(conn, order["id"])]
        assert kinds.count("order_released") + kinds.count("order_refunded") == 1, kinds
        returned = 1 if "order_refunded" in kinds else 0
        assert await inventory_of(conn, ref) == {"available": before_refund["available"] + returned,
                                                 "reserved": before_refund["reserved"]}
    assert endings <= {"paid", "cancelled"}
