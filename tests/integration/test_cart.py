"""The cart refuses what the shelf cannot honour when it is added, names every short line at
checkout, and a retried checkout answers with the order the first attempt placed."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from commerce.orders import service as orders
from commerce.orders.checkout import CheckoutRates
from commerce.orders.models import OrderCreate, OrderLimits, OrderLineIn
from db.pool import Conn
from tests.fix_app import PASSWORD, Users
from tests.integration.test_orders import a_reference, set_stock, stock_of

pytestmark = pytest.mark.integration


async def put(client: httpx.AsyncClient, headers: dict[str, str], reference: str, quantity: int) -> httpx.Response:
    return await client.put(f"/api/v1/cart/items/{reference}", json={"quantity": quantity}, headers=headers)


async def test_adding_more_than_available_is_refused_with_the_count(
    client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    await set_stock(conn, watch["reference"], 3)
    assert (await put(client, headers, watch["reference"], 3)).status_code == 200
    r = await put(client, headers, watch["reference"], 4)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (r.json()["code"], r.json()["available"], r.json()["requested"]) == ("insufficient_stock", 3, 4)
    assert "Only 3 of" in r.json()["detail"]
    await set_stock(conn, watch["reference"], 0)
    r = await put(client, headers, watch["reference"], 1)
    assert (r.status_code, r.json()["available"]) == (409, 0)
    assert "out of stock" in r.json()["detail"]
    cart = (await client.get("/api/v1/cart", headers=headers)).json()
    assert [(i["reference"], i["quantity"]) for i in cart["items"]] == [(watch["reference"], 3)]
    await set_stock(conn, watch["reference"], 50)
    r = await put(client, headers, watch["reference"], 11)
    assert (r.status_code, r.json()["code"]) == (422, "quantity_limit_exceeded")


async def test_checkout_names_every_short_line(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = await users.customer()
    items = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
    a, b, c = [w["reference"] for w in items if w["stock_available"] >= 3][:3]
    for ref in (a, b, c):
        assert (await put(client, headers, ref, 2)).status_code == 200
    await set_stock(conn, a, 1)
    await set_stock(conn, c, 0)
    before = [await stock_of(conn, ref) for ref in (a, b, c)]
    r = await client.post("/api/v1/cart/checkout", headers=headers)
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "insufficient_stock"
    assert sorted((line["reference"], line["requested"], line["available"]) for line in body["lines"]) == sorted(
        [(a, 2, 1), (c, 2, 0)])
    assert a in body["detail"] and c in body["detail"]
    assert [await stock_of(conn, ref) for ref in (a, b, c)] == before, "nothing reserved"
    assert len((await client.get("/api/v1/cart", headers=headers)).json()["items"]) == 3


async def test_checkout_retried_with_its_key_replays_the_order(client: httpx.AsyncClient, users: Users) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    assert (await put(client, headers, watch["reference"], 2)).status_code == 200
    key = {**headers, "Idempotency-Key": "checkout-retry-1"}
    first = await client.post("/api/v1/cart/checkout", headers=key)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/cart/checkout", headers=key)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len((await client.get("/api/v1/orders", headers=headers)).json()["items"]) == 1
    # A new checkout without the key, on the now empty cart, is still refused.
    assert (await client.post("/api/v1/cart/checkout", headers=headers)).json()["code"] == "empty_cart"


async def test_checkout_retried_after_a_crash_before_the_cart_emptied(
    client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    """The first attempt placed the order and died before emptying the cart."""
    headers = await users.customer()
    watch = await a_reference(client)
    assert (await put(client, headers, watch["reference"], 2)).status_code == 200
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    placed, created = await orders.place_order(
        conn, customer_id=me["id"], idempotency_key="checkout-crash-1", limits=OrderLimits(), rates=CheckoutRates(),
        data=OrderCreate(items=[OrderLineIn(reference=watch["reference"], quantity=2)]))
    assert created
    reserved = await stock_of(conn, watch["reference"])
    r = await client.post("/api/v1/cart/checkout", headers={**headers, "Idempotency-Key": "checkout-crash-1"})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == placed.id
    assert (await client.get("/api/v1/cart", headers=headers)).json()["items"] == []
    assert await stock_of(conn, watch["reference"]) == reserved, "no second reservation"
    assert len((await client.get("/api/v1/orders", headers=headers)).json()["items"]) == 1


async def test_a_guest_cart_survives_sign_in(
    app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    headers = await users.customer(email)
    items = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
    both, guest_only = [w["reference"] for w in items if w["stock_available"] >= 5][:2]
    assert (await put(client, headers, both, 1)).status_code == 200  # already in the account's cart

    guest = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://store.test")  # a new browser
    async with guest:
        r = await guest.put(f"/api/v1/cart/items/{both}", json={"quantity": 2})
        assert r.status_code == 200, r.text
        assert "seiko_cart=" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
        assert (await guest.put(f"/api/v1/cart/items/{guest_only}", json={"quantity": 1})).status_code == 200
        assert (await guest.put(f"/api/v1/cart/items/{guest_only}", json={"quantity": 10**4})).status_code == 422
        cart = (await guest.get("/api/v1/cart")).json()
        assert [(i["reference"], i["quantity"]) for i in cart["items"]] == [(both, 2), (guest_only, 1)]
        r = await guest.post("/api/v1/cart/checkout")
        assert (r.status_code, r.json()["code"]) == (401, "unauthorized")
        # Another browser does not see it.
        assert (await client.get("/api/v1/cart")).json()["items"] == []

        r = await guest.post("/api/v1/auth/session", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        assert 'seiko_cart=""' in r.headers["set-cookie"] or "seiko_cart=;" in r.headers["set-cookie"]
        merged = (await guest.get("/api/v1/cart")).json()
        assert sorted((i["reference"], i["quantity"]) for i in merged["items"]) == sorted([(both, 3), (guest_only, 1)])
    cur = await conn.execute("SELECT count(*) AS n FROM guest_cart_items")
    assert await cur.fetchone() == {"n": 0}
    account = (await client.get("/api/v1/cart", headers=headers)).json()
    assert sorted((i["reference"], i["quantity"]) for i in account["items"]) == sorted([(both, 3), (guest_only, 1)])
