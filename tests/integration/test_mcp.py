"""The MCP servers through the official MCP client against the live app: tool lists and annotations,
search parity with the HTTP API on the labelled queries, and authorization held on the server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

from db.pool import Conn
from evals.search.harness import CASES, FRESH, load_cases
from tests.fix_app import Users, make_settings
from tests.live_server import LiveServer
from tests.mcp_client import data, mcp_session, refusal

pytestmark = pytest.mark.integration

STOREFRONT_TOOLS = {"search_catalog", "get_watch", "compare_watches", "check_stock", "store_policies",
                    "get_my_cart", "list_my_orders", "get_my_order"}


@pytest.fixture
def server(db_url: str) -> Iterator[LiveServer]:
    live = LiveServer(make_settings(db_url)).start()
    yield live
    live.stop()


@asynccontextmanager
async def api(server: LiveServer) -> AsyncIterator[tuple[httpx.AsyncClient, Users]]:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        yield client, Users(client)


async def test_storefront_tools_are_listed_read_only(server: LiveServer) -> None:
    async with mcp_session(f"{server.url}/mcp") as session:
        tools = (await session.list_tools()).tools
    assert {t.name for t in tools} == STOREFRONT_TOOLS
    for tool in tools:
        assert tool.annotations is not None and tool.annotations.read_only_hint is True, tool.name
        assert tool.annotations.destructive_hint is False, tool.name
        assert tool.description


async def test_search_matches_the_http_api_on_every_labelled_query(server: LiveServer) -> None:
    cases = load_cases(CASES) + load_cases(FRESH)
    assert len(cases) >= 50
    async with api(server) as (client, _), mcp_session(f"{server.url}/mcp") as session:
        for case in cases:
            http = await client.get("/api/v1/search", params={"q": case.query, "limit": 10})
            assert http.status_code == 200, http.text
            over_mcp = data(await session.call_tool("search_catalog", {"query": case.query, "limit": 10}))
            # The whole answer, not only the ranking: filters read, explanations, near misses, live prices.
            assert over_mcp == http.json(), case.id


async def test_prices_and_stock_are_live_and_money_is_a_string(server: LiveServer, conn: Conn) -> None:
    async with mcp_session(f"{server.url}/mcp") as session:
        before = data(await session.call_tool("check_stock", {"reference": "srpd55k1"}))
        await conn.execute("UPDATE inventory SET available = 3, reserved = 0 FROM watches w "
                           "WHERE w.id = inventory.watch_id AND w.reference = 'SRPD55K1'")
        await conn.execute("UPDATE watches SET price = 301.50 WHERE reference = 'SRPD55K1'")
        after = data(await session.call_tool("check_stock", {"reference": "SRPD55K1"}))
        watch = data(await session.call_tool("get_watch", {"reference": "SRPD55K1"}))
        compared = data(await session.call_tool("compare_watches", {"references": ["SRPD55K1", "SRPE93K1"]}))
        missing = await session.call_tool("get_watch", {"reference": "NOPE123"})
    assert isinstance(before["price"], str)
    assert after == {"reference": "SRPD55K1", "name": before["name"], "price": "301.50", "currency": "USD",
                     "stock_available": 3, "in_stock": True}
    assert (watch["price"], watch["stock_available"]) == ("301.50", 3)
    assert "reviews" in watch
    assert {w["reference"] for w in compared["watches"]} == {"SRPD55K1", "SRPE93K1"}
    assert compared["unknown"] == []
    assert "watch_not_found" in refusal(missing)


async def test_policies_come_from_the_policy_document(server: LiveServer) -> None:
    async with mcp_session(f"{server.url}/mcp") as session:
        every = data(await session.call_tool("store_policies", {}))
        returns = data(await session.call_tool("store_policies", {"topic": "returns"}))
    assert {p["topic"] for p in every["policies"]} >= {"shipping", "returns", "warranty"}
    assert [p["topic"] for p in returns["policies"]] == ["returns"]


async def test_a_customer_sees_their_own_orders_and_cart_and_nobody_elses(server: LiveServer) -> None:
    async with api(server) as (client, users):
        alice, bob = await users.customer(), await users.customer()
        placed = await client.post("/api/v1/orders", json={"items": [{"reference": "SRPD55K1", "quantity": 1}]},
                                   headers=alice)
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["id"]
        r = await client.put("/api/v1/cart/items/SRPE93K1", json={"quantity": 2}, headers=alice)
        assert r.status_code == 200, r.text
    async with mcp_session(f"{server.url}/mcp", alice) as session:
        mine = data(await session.call_tool("list_my_orders", {}))
        one = data(await session.call_tool("get_my_order", {"order_id": order_id}))
        cart = data(await session.call_tool("get_my_cart", {}))
    assert [o["id"] for o in mine["items"]] == [order_id]
    assert one["id"] == order_id and isinstance(one["total"], str)
    assert [(i["reference"], i["quantity"]) for i in cart["items"]] == [("SRPE93K1", 2)]
    async with mcp_session(f"{server.url}/mcp", bob) as session:
        theirs = await session.call_tool("get_my_order", {"order_id": order_id})
        bobs = data(await session.call_tool("list_my_orders", {}))
        bobs_cart = data(await session.call_tool("get_my_cart", {}))
    assert "order_not_found" in refusal(theirs)
    assert bobs["items"] == [] and bobs_cart["items"] == []
    async with mcp_session(f"{server.url}/mcp") as session:
        anonymous = await session.call_tool("get_my_order", {"order_id": order_id})
    assert "unauthorized" in refusal(anonymous)


async def test_a_bad_token_is_refused_before_any_tool_runs(server: LiveServer) -> None:
    async with httpx.AsyncClient() as client:
        r = await client.post(f"{server.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                              headers={"Authorization": "Bearer not-a-token",
                                       "Accept": "application/json, text/event-stream"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
