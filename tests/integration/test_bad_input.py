"""Bad input gets a 4xx problem+json with a stable code, and nothing is written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from db.pool import Conn
from tests.fix_app import Users

pytestmark = pytest.mark.integration


async def snapshot(conn: Conn) -> dict[str, Any]:
    cur = await conn.execute(
        "SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_items) AS lines, "
        "(SELECT sum(available) FROM inventory) AS available, (SELECT sum(reserved) FROM inventory) AS reserved, "
        "(SELECT count(*) FROM stock_movements) AS movements"
    )
    row = await cur.fetchone()
    assert row is not None
    return row


def assert_problem(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    assert body["status"] == status
    assert body["code"] == code


BAD_ORDERS: list[tuple[Any, int, str]] = [
    ({"items": [{"reference": "SRPD55K1", "quantity": 0}]}, 422, "validation_error"),
    ({"items": [{"reference": "SRPD55K1", "quantity": -3}]}, 422, "validation_error"),
    ({"items": [{"reference": "SRPD55K1", "quantity": "two"}]}, 422, "validation_error"),
    ({"items": [{"reference": "SRPD55K1", "quantity": "2"}]}, 422, "validation_error"),
    ({"items": [{"reference": "SRPD55K1", "quantity": 1.5}]}, 422, "validation_error"),
    ({"items": [{"reference": "SRPD55K1", "quantity": True}]}, 422, "validation_error"),
    ({"items": [{"reference": 55, "quantity": 1}]}, 422, "validation_error"),
    ({"items": []}, 422, "validation_error"),
    ({"items": "SRPD55K1"}, 422, "validation_error"),
    ({"items": [{"reference": "SRPD55K1", "quantity": 1, "price": "0.01"}]}, 422, "validation_error"),
    ([1, 2, 3], 422, "validation_error"),
    ({"items": [{"reference": "NOPE123", "quantity": 1}]}, 422, "unknown_reference"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_ORDERS)
async def test_bad_orders_are_refused_and_write_nothing(
    client: httpx.AsyncClient, users: Users, conn: Conn, body: Any, status: int, code: str
) -> None:
    headers = await users.customer()
    before = await snapshot(conn)
    assert_problem(await client.post("/api/v1/orders", json=body, headers=headers), status, code)
    assert await snapshot(conn) == before


async def test_unknown_reference_among_good_lines_writes_nothing(
    client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    headers = await users.customer()
    good = (await client.get("/api/v1/watches", params={"limit": 1, "in_stock": True})).json()["items"][0]
    before = await snapshot(conn)
    r = await client.post("/api/v1/orders", headers=headers, json={"items": [
        {"reference": good["reference"], "quantity": 1}, {"reference": "ZZZ999", "quantity": 1}]})
    assert_problem(r, 422, "unknown_reference")
    assert await snapshot(conn) == before


async def test_broken_json(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = {**(await users.customer()), "Content-Type": "application/json"}
    before = await snapshot(conn)
    for raw in (b'{"items": [', b"not json at all", b'{"items": [{"reference": "SRPD55K1",}]}'):
        assert_problem(await client.post("/api/v1/orders", content=raw, headers=headers), 400, "malformed_json")
    assert await snapshot(conn) == before


async def test_oversized_bodies(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = {**(await users.customer()), "Content-Type": "application/json"}
    before = await snapshot(conn)
    huge = b'{"items": [' + b'{"reference": "SRPD55K1", "quantity": 1},' * 5000 + b"]}"
    assert_problem(await client.post("/api/v1/orders", content=huge, headers=headers), 413, "payload_too_large")

    async def chunks() -> Any:  # no Content-Length: the limit must hold while streaming
        for _ in range(100):
            yield b" " * 4096

    assert_problem(await client.post("/api/v1/orders", content=chunks(), headers=headers), 413, "payload_too_large")
    assert await snapshot(conn) == before


async def test_bad_query_parameters(client: httpx.AsyncClient) -> None:
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "ten"}, {"category": "submarine"},
                   {"min_price": "cheap"}, {"sort": "random"}):
        assert_problem(await client.get("/api/v1/watches", params=params), 422, "validation_error")


async def test_bad_admin_input_writes_nothing(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    ops = await users.ops()
    before = await snapshot(conn)
    ref = (await client.get("/api/v1/watches", params={"limit": 1})).json()["items"][0]["reference"]
    url = f"/api/v1/admin/inventory/{ref}/adjustments"
    assert_problem(await client.post(url, json={"delta": 0, "reason": "nothing"}, headers=ops), 422, "validation_error")
    assert_problem(await client.post(url, json={"delta": 5}, headers=ops), 422, "validation_error")
    assert_problem(await client.post(url, json={"delta": -10**5, "reason": "shrink"}, headers=ops), 409,
                   "stock_would_go_negative")
    assert_problem(await client.post("/api/v1/admin/inventory/NOPE99/adjustments", json={"delta": 1, "reason": "x" * 5},
                                     headers=ops), 404, "watch_not_found")
    assert_problem(await client.patch("/api/v1/admin/orders/1", json={"status": "lost"}, headers=ops), 422,
                   "validation_error")
    assert await snapshot(conn) == before
