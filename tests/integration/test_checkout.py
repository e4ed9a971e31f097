"""Checkout with a shipping address and method: shipping cost, tax from the rate table, and totals
that add up to the cent on the order, the payment intent and the confirmation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio

from db.pool import Conn
from tests.fix_app import Users, build_test_app, started
from tests.integration.test_orders import a_reference, set_stock, stock_of

pytestmark = pytest.mark.integration

SF = {"name": "Ana Silva", "line1": "1 Market St", "line2": "Apt 4", "city": "San Francisco", "region": "ca",
      "postal_code": "94105", "country": "us"}


async def checkout(client: httpx.AsyncClient, headers: dict[str, str], reference: str, quantity: int,
                   shipping: dict[str, Any] | None) -> httpx.Response:
    await client.delete("/api/v1/cart", headers=headers)
    r = await client.put(f"/api/v1/cart/items/{reference}", json={"quantity": quantity}, headers=headers)
    assert r.status_code == 200, r.text
    return await client.post("/api/v1/cart/checkout", json={"shipping": shipping} if shipping else None,
                             headers=headers)


def cents(value: str) -> int:
    return int(Decimal(value) * 100)


async def test_totals_add_up_on_the_order_the_intent_and_the_confirmation(
    client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    headers = await users.customer()
    r = await checkout(client, headers, "SRPD55K1", 1, {"address": SF, "method": "standard"})
    assert r.status_code == 201, r.text
    order = r.json()
    subtotal = Decimal(order["subtotal"])
    assert subtotal == Decimal(order["items"][0]["line_total"])
    assert subtotal < 500
    assert (order["shipping_method"], order["shipping_cost"]) == ("standard", "9.95")
    assert Decimal(order["tax_rate"]) == Decimal("0.0725")
    expected_tax = ((subtotal + Decimal("9.95")) * Decimal("0.0725")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(order["tax"]) == expected_tax
    assert Decimal(order["total"]) == subtotal + Decimal("9.95") + expected_tax
    assert order["ship_to"] == {**SF, "region": "CA", "postal_code": "94105", "country": "US"}

    start = (await client.post(f"/api/v1/orders/{order['id']}/payment", headers=headers)).json()
    assert start["amount_cents"] == cents(order["total"])
    paid = (await client.post(f"/api/v1/orders/{order['id']}/payment/simulate", json={"outcome": "succeeded"},
                              headers=headers)).json()
    assert paid["status"] == "paid"
    cur = await conn.execute("SELECT payload FROM outbox WHERE order_id = %s AND kind = 'order_confirmation'",
                             (order["id"],))
    row = await cur.fetchone()
    assert row is not None
    confirmation = row["payload"]
    assert confirmation["amount_cents"] == cents(order["total"])
    assert [confirmation[k] for k in ("subtotal", "shipping_cost", "tax", "total")] == [
        order["subtotal"], order["shipping_cost"], order["tax"], order["total"]]
    assert confirmation["ship_to"]["city"] == "San Francisco"
    listed = (await client.get("/api/v1/orders", headers=headers)).json()["items"]
    assert listed[0]["ship_to"]["postal_code"] == "94105"
    admin = await users.admin()
    ops_list = (await client.get("/api/v1/admin/orders", headers=admin)).json()["items"]
    assert next(o for o in ops_list if o["id"] == order["id"])["ship_to"]["line1"] == "1 Market St"


async def test_free_standard_shipping_express_and_countries(client: httpx.AsyncClient, users: Users) -> None:
    headers = await users.customer()
    watches = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
    dear = next(w for w in watches if Decimal(w["price"]) >= 500)
    r = await checkout(client, headers, dear["reference"], 1, {"address": SF, "method": "standard"})
    assert r.json()["shipping_cost"] == "0.00"
    r = await checkout(client, headers, dear["reference"], 1, {"address": SF, "method": "express"})
    assert r.json()["shipping_cost"] == "24.95"
    london = {"name": "Li", "line1": "10 Downing St", "city": "London", "postal_code": "sw1a 2aa", "country": "GB"}
    r = await checkout(client, headers, dear["reference"], 1, {"address": london, "method": "express"})
    body = r.json()
    assert Decimal(body["tax"]) == ((Decimal(dear["price"]) + Decimal("24.95")) * Decimal("0.20")).quantize(
        Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(body["total"]) == Decimal(body["subtotal"]) + Decimal(body["shipping_cost"]) + Decimal(body["tax"])
    # The plain API order (no shipping) keeps working: no shipping, no tax.
    r = await client.post("/api/v1/orders", json={"items": [{"reference": dear["reference"], "quantity": 1}]},
                          headers=headers)
    assert r.status_code == 201
    assert (r.json()["shipping_cost"], r.json()["tax"], r.json()["total"]) == ("0.00", "0.00", dear["price"])


@pytest.mark.parametrize(("change", "code", "words"), [
    ({"country": "BR"}, "invalid_address", "We do not ship to BR"),
    ({"postal_code": "9410"}, "invalid_address", "is not a postal code of US"),
    ({"region": "XX"}, "invalid_address", "Choose the US state"),
    ({"name": "  "}, "validation_error", ""),
    ({"line1": None}, "validation_error", ""),
])
async def test_bad_addresses_are_refused_and_reserve_nothing(
    client: httpx.AsyncClient, users: Users, conn: Conn, change: dict[str, Any], code: str, words: str
) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    await set_stock(conn, watch["reference"], 10)
    r = await checkout(client, headers, watch["reference"], 1, {"address": {**SF, **change}})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code
    assert words in r.json()["detail"]
    assert await stock_of(conn, watch["reference"]) == {"available": 10, "reserved": 0}
    assert len((await client.get("/api/v1/cart", headers=headers)).json()["items"]) == 1


@pytest_asyncio.fixture
async def uk_only(db_url: str, settings_for: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(db_url, SEIKO_TAX_RATES={"GB": "0.2"},
                            SEIKO_SHIPPING_RATES_USD={"standard": "4.00", "express": "12.50"},
                            SEIKO_FREE_SHIPPING_OVER_USD=None)
    async for running in started(build_test_app(settings)):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=running), base_url="http://store.test") as c:
            yield c


async def test_rate_tables_come_from_settings(uk_only: httpx.AsyncClient) -> None:
    headers = await Users(uk_only).customer()
    r = await checkout(uk_only, headers, "SRPD55K1", 1, {"address": SF})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_address")
    london = {"name": "Li", "line1": "10 Downing St", "city": "London", "postal_code": "SW1A 2AA", "country": "GB"}
    body = (await checkout(uk_only, headers, "SRPD55K1", 1, {"address": london, "method": "express"})).json()
    assert (body["shipping_cost"], Decimal(body["tax_rate"])) == ("12.50", Decimal("0.2"))
    expected = ((Decimal(body["subtotal"]) + Decimal("12.50")) * Decimal("0.2")).quantize(Decimal("0.01"))
    assert body["tax"] == str(expected)
