"""Orders: reservation, idempotency, cancellation, concurrency (never oversell), status flow."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from db.pool import Conn
from tests.fix_app import Users

pytestmark = pytest.mark.integration


async def stock_of(conn: Conn, reference: str) -> dict[str, Any]:
    cur = await conn.execute(
        "SELECT i.available, i.reserved FROM inventory i JOIN watches w ON w.id = i.watch_id WHERE w.reference = %s",
        (reference,),
    )
    row = await cur.fetchone()
    assert row is not None
    return row


async def set_stock(conn: Conn, reference: str, available: int) -> None:
    await conn.execute(
        "UPDATE inventory SET available = %s, reserved = 0 FROM watches w "
        "WHERE w.id = inventory.watch_id AND w.reference = %s",
        (available, reference),
    )


async def a_reference(client: httpx.AsyncClient, *, min_stock: int = 5) -> dict[str, Any]:
    r = await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})
    watch = next(w for w in r.json()["items"] if w["stock_available"] >= min_stock)
    return dict(watch)


async def test_order_reserves_stock_and_totals_in_decimal(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    before = await stock_of(conn, watch["reference"])
    r = await client.post("/api/v1/orders", json={"items": [{"reference": watch["reference"], "quantity": 2}]},
                          headers=headers)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "pending_payment"
    from decimal import Decimal

    assert order["total"] == str(Decimal(watch["price"]) * 2)
    assert order["items"] == [{"reference": watch["reference"], "name": watch["name"], "quantity": 2,
                               "unit_price": watch["price"], "line_total": order["total"]}]
    after = await stock_of(conn, watch["reference"])
    assert after == {"available": before["available"] - 2, "reserved": before["reserved"] + 2}
    listed = (await client.get("/api/v1/orders", headers=headers)).json()["items"]
    assert [o["id"] for o in listed] == [order["id"]]


async def test_idempotency_key_returns_the_same_order_once(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    body = {"items": [{"reference": watch["reference"], "quantity": 1}]}
    before = await stock_of(conn, watch["reference"])
    first = await client.post("/api/v1/orders", json=body, headers={**headers, "Idempotency-Key": "k-1"})
    retry = await client.post("/api/v1/orders", json=body, headers={**headers, "Idempotency-Key": "k-1"})
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert (await stock_of(conn, watch["reference"]))["available"] == before["available"] - 1
    other = await client.post("/api/v1/orders", json={"items": [{"reference": watch["reference"], "quantity": 2}]},
                              headers={**headers, "Idempotency-Key": "k-1"})
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"


async def test_concurrent_retries_with_one_key_make_one_order(
    client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    headers = {**(await users.customer()), "Idempotency-Key": "same-key"}
    watch = await a_reference(client)
    before = await stock_of(conn, watch["reference"])
    body = {"items": [{"reference": watch["reference"], "quantity": 1}]}
    answers = await asyncio.gather(*(client.post("/api/v1/orders", json=body, headers=headers) for _ in range(8)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert (await stock_of(conn, watch["reference"]))["available"] == before["available"] - 1


async def test_fifty_buyers_for_the_last_ten_units(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    watch = await a_reference(client)
    await set_stock(conn, watch["reference"], 10)
    buyers = [await users.customer() for _ in range(50)]
    body = {"items": [{"reference": watch["reference"], "quantity": 1}]}
    answers = await asyncio.gather(*(client.post("/api/v1/orders", json=body, headers=h) for h in buyers))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 10
    assert codes.count(409) == 40
    assert all(a.json()["code"] == "insufficient_stock" for a in answers if a.status_code == 409)
    assert await stock_of(conn, watch["reference"]) == {"available": 0, "reserved": 10}
    cur = await conn.execute(
        "SELECT count(*) AS n, coalesce(sum(oi.quantity), 0) AS units FROM orders o "
        "JOIN order_items oi ON oi.order_id = o.id JOIN watches w ON w.id = oi.watch_id "
        "WHERE w.reference = %s AND o.status = 'pending_payment'",
        (watch["reference"],),
    )
    assert await cur.fetchone() == {"n": 10, "units": 10}


async def test_insufficient_stock_writes_nothing(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = await users.customer()
    r = await client.get("/api/v1/watches", params={"limit": 2, "in_stock": True})
    plenty, short = r.json()["items"]
    await set_stock(conn, short["reference"], 1)
    before = (await stock_of(conn, plenty["reference"]), await stock_of(conn, short["reference"]))
    r = await client.post("/api/v1/orders", headers=headers, json={"items": [
        {"reference": plenty["reference"], "quantity": 1}, {"reference": short["reference"], "quantity": 2}]})
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "insufficient_stock"
    assert r.json()["reference"] == short["reference"]
    assert (await stock_of(conn, plenty["reference"]), await stock_of(conn, short["reference"])) == before
    assert (await client.get("/api/v1/orders", headers=headers)).json()["items"] == []


async def test_cancel_releases_stock_and_only_once(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    before = await stock_of(conn, watch["reference"])
    order = (await client.post("/api/v1/orders", json={"items": [{"reference": watch["reference"], "quantity": 3}]},
                               headers=headers)).json()
    r = await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=headers)
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    assert await stock_of(conn, watch["reference"]) == before
    again = await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_status_transition"
    assert await stock_of(conn, watch["reference"]) == before
    cur = await conn.execute(
        "SELECT kind, delta FROM stock_movements WHERE order_id = %s ORDER BY id", (order["id"],)
    )
    assert await cur.fetchall() == [{"kind": "order_reserved", "delta": -3}, {"kind": "order_released", "delta": 3}]


async def test_customers_cannot_see_or_cancel_others_orders(client: httpx.AsyncClient, users: Users) -> None:
    alice, bob = await users.customer(), await users.customer()
    watch = await a_reference(client)
    order = (await client.post("/api/v1/orders", json={"items": [{"reference": watch["reference"], "quantity": 1}]},
                               headers=alice)).json()
    assert (await client.get(f"/api/v1/orders/{order['id']}", headers=bob)).status_code == 404
    assert (await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=bob)).status_code == 404
    assert (await client.get(f"/api/v1/orders/{order['id']}", headers=alice)).status_code == 200


async def test_status_flow_paid_shipped_delivered(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    customer, ops = await users.customer(), await users.ops()
    watch = await a_reference(client)
    before = await stock_of(conn, watch["reference"])
    order = (await client.post("/api/v1/orders", json={"items": [{"reference": watch["reference"], "quantity": 1}]},
                               headers=customer)).json()
    for status in ("paid", "shipped", "delivered"):
        r = await client.patch(f"/api/v1/admin/orders/{order['id']}", json={"status": status}, headers=ops)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status
    assert await stock_of(conn, watch["reference"]) == {"available": before["available"] - 1,
                                                       "reserved": before["reserved"]}
    r = await client.patch(f"/api/v1/admin/orders/{order['id']}", json={"status": "cancelled"}, headers=ops)
    assert r.status_code == 409
    r = await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=customer)
    assert r.status_code == 409


async def test_cart_checkout_places_the_order_and_empties_the_cart(
    client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    r = await client.put(f"/api/v1/cart/items/{watch['reference']}", json={"quantity": 2}, headers=headers)
    assert r.status_code == 200
    assert r.json()["items"][0]["quantity"] == 2
    r = await client.post("/api/v1/cart/checkout", headers={**headers, "Idempotency-Key": "cart-1"})
    assert r.status_code == 201, r.text
    assert r.json()["items"][0]["quantity"] == 2
    assert (await client.get("/api/v1/cart", headers=headers)).json() == {"items": [], "total": "0.00"}
    empty = await client.post("/api/v1/cart/checkout", headers=headers)
    assert empty.status_code == 422
    assert empty.json()["code"] == "empty_cart"
