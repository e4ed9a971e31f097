"""One shopper cannot hold the shelf: caps per line and per order, on a customer's unpaid orders and
their value, and a gauge of the units that unpaid orders hold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from prometheus_client import REGISTRY

from commerce.orders import service as orders
from db.pool import Conn
from tests.fix_app import Users, build_test_app, started
from tests.integration.test_orders import a_reference, set_stock, stock_of

pytestmark = pytest.mark.integration


async def order(client: httpx.AsyncClient, headers: dict[str, str], lines: list[tuple[str, int]]) -> httpx.Response:
    return await client.post("/api/v1/orders", headers=headers,
                             json={"items": [{"reference": ref, "quantity": q} for ref, q in lines]})


async def test_line_and_order_caps_refuse_and_reserve_nothing(
    client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    await set_stock(conn, watch["reference"], 40)
    r = await order(client, headers, [(watch["reference"], 11)])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (r.json()["code"], r.json()["limit"], r.json()["allowed"]) == ("quantity_limit_exceeded",
                                                                          "line_quantity", 10)
    assert await stock_of(conn, watch["reference"]) == {"available": 40, "reserved": 0}
    # More than exists is still "insufficient_stock" (the contract), whatever the cap.
    r = await order(client, headers, [(watch["reference"], 10**6)])
    assert (r.status_code, r.json()["code"]) == (409, "insufficient_stock")

    everything = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
    three = [w["reference"] for w in everything if w["stock_available"] >= 9][:3]
    for ref in three:
        await set_stock(conn, ref, 20)
    r = await order(client, headers, [(ref, 9) for ref in three])
    assert r.status_code == 422, r.text
    assert (r.json()["limit"], r.json()["requested"]) == ("order_units", 27)
    assert [await stock_of(conn, ref) for ref in three] == [{"available": 20, "reserved": 0}] * 3
    assert (await order(client, headers, [(watch["reference"], 10)])).status_code == 201


async def test_the_whole_catalogue_cannot_be_reserved(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    """The report: one unpaid order for every unit of every watch was accepted."""
    headers = await users.customer()
    everything = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
    before = {w["reference"]: w["stock_available"] for w in everything}
    r = await order(client, headers, list(before.items()))
    assert r.status_code == 422
    assert r.json()["code"] == "quantity_limit_exceeded"
    after = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
    assert {w["reference"]: w["stock_available"] for w in after} == before


async def test_unpaid_orders_per_customer_are_capped(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    await set_stock(conn, watch["reference"], 50)
    placed = [(await order(client, headers, [(watch["reference"], 1)])).json() for _ in range(5)]
    assert all(o["status"] == "pending_payment" for o in placed)
    sixth = await order(client, headers, [(watch["reference"], 1)])
    assert sixth.status_code == 409
    assert (sixth.json()["code"], sixth.json()["limit"]) == ("unpaid_orders_limit", "unpaid_orders")
    assert "pay or cancel one first" in sixth.json()["detail"]
    assert await stock_of(conn, watch["reference"]) == {"available": 45, "reserved": 5}
    # Another shopper is not affected; paying or cancelling frees a place.
    assert (await order(client, await users.customer(), [(watch["reference"], 1)])).status_code == 201
    assert (await client.post(f"/api/v1/orders/{placed[0]['id']}/cancel", headers=headers)).status_code == 200
    r = await client.post(f"/api/v1/orders/{placed[1]['id']}/payment/simulate", json={"outcome": "succeeded"},
                          headers=headers)
    assert r.json()["status"] == "paid"
    assert (await order(client, headers, [(watch["reference"], 1)])).status_code == 201
    assert (await order(client, headers, [(watch["reference"], 1)])).status_code == 201
    assert (await order(client, headers, [(watch["reference"], 1)])).status_code == 409


async def test_concurrent_orders_cannot_slip_past_the_cap(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = await users.customer()
    watch = await a_reference(client)
    await set_stock(conn, watch["reference"], 50)
    answers = await asyncio.gather(*(order(client, headers, [(watch["reference"], 1)]) for _ in range(12)))
    assert sorted(a.status_code for a in answers) == [201] * 5 + [409] * 7
    assert await stock_of(conn, watch["reference"]) == {"available": 45, "reserved": 5}


@pytest_asyncio.fixture
async def tight_client(db_url: str, settings_for: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(db_url, SEIKO_CUSTOMER_MAX_RESERVED_USD="1000", SEIKO_ORDER_MAX_LINE_QUANTITY=3)
    async for running in started(build_test_app(settings)):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=running), base_url="http://store.test") as c:
            yield c


async def test_reserved_value_and_caps_come_from_settings(tight_client: httpx.AsyncClient, conn: Conn) -> None:
    headers = await Users(tight_client).customer()
    everything = (await tight_client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
    cheap = min(everything, key=lambda w: float(w["price"]))
    await set_stock(conn, cheap["reference"], 50)
    assert (await order(tight_client, headers, [(cheap["reference"], 4)])).json()["allowed"] == 3
    held = 0.0
    while held + 3 * float(cheap["price"]) <= 1000:
        assert (await order(tight_client, headers, [(cheap["reference"], 3)])).status_code == 201
        held += 3 * float(cheap["price"])
    r = await order(tight_client, headers, [(cheap["reference"], 3)])
    assert r.status_code == 409
    assert (r.json()["code"], r.json()["limit"], r.json()["allowed"]) == ("unpaid_orders_limit", "reserved_value",
                                                                          "1000")


def gauge() -> float | None:
    return REGISTRY.get_sample_value("orders_reserved_unpaid_units")


async def test_gauge_counts_units_held_by_unpaid_orders(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    await orders.refresh_gauges(conn)
    start = gauge()
    assert start is not None
    headers = await users.customer()
    watch = await a_reference(client)
    await set_stock(conn, watch["reference"], 30)
    first = (await order(client, headers, [(watch["reference"], 3)])).json()
    second = (await order(client, headers, [(watch["reference"], 4)])).json()
    await orders.refresh_gauges(conn)
    assert gauge() == start + 7
    await client.post(f"/api/v1/orders/{first['id']}/payment/simulate", json={"outcome": "succeeded"},
                      headers=headers)
    await client.post(f"/api/v1/orders/{second['id']}/cancel", headers=headers)
    await orders.refresh_gauges(conn)
    assert gauge() == start
