"""GraphQL at /graphql: the same catalog, search and orders as the HTTP API, a page of watches with
reviews in a fixed number of queries, depth and cost limits, and errors that keep internals inside."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest
import pytest_asyncio
from psycopg.rows import dict_row

from db.pool import Conn
from graphql_api.context import CONTEXT_KEY, StoreContext
from graphql_api.schema import SCHEMA
from tests.fix_app import Users

pytestmark = pytest.mark.integration

PAGE_WITH_REVIEWS = """query Page($limit: Int!) {
  watches(limit: $limit) { total items { reference price stockAvailable reviewCount ratingAverage
                                         reviews { author rating title createdAt } } } }"""


async def gql(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def codes(body: dict[str, Any]) -> list[str | None]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors", [])]


class Statements:
    """A connection that remembers every statement it runs (a cursor factory, so nothing is mocked)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def cursor_class(self) -> type[psycopg.AsyncCursor[Any]]:
        seen = self.seen

        class Counting(psycopg.AsyncCursor[Any]):
            async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
                seen.append(str(query))
                return await super().execute(query, params, **kwargs)

        return Counting


@pytest_asyncio.fixture
async def counted(db_url: str) -> AsyncIterator[tuple[Conn, Statements]]:
    statements = Statements()
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True, row_factory=dict_row,
                                                     cursor_factory=statements.cursor_class()) as conn:
        yield conn, statements


async def test_a_page_of_watches_with_reviews_is_a_fixed_number_of_queries(
    counted: tuple[Conn, Statements],
) -> None:
    conn, statements = counted
    queries_per_page = {}
    for limit in (1, 5, 20, 100):
        statements.seen.clear()
        context = {CONTEXT_KEY: StoreContext(conn=conn, principal=None, embedder=None, rates={})}
        result = await SCHEMA.execute(PAGE_WITH_REVIEWS, variable_values={"limit": limit}, context_value=context)
        assert result.errors is None, result.errors
        assert result.data is not None
        items = result.data["watches"]["items"]
        assert len(items) == min(limit, result.data["watches"]["total"])
        assert sum(len(w["reviews"]) for w in items) > 0 or limit == 1
        queries_per_page[limit] = len(statements.seen)
    # One for the page (and its total), one for every review of every watch on it.
    assert queries_per_page == {1: 2, 5: 2, 20: 2, 100: 2}


async def test_watches_filter_and_paginate_like_the_http_api(client: httpx.AsyncClient) -> None:
    query = """query($f: WatchFilter, $limit: Int!, $offset: Int!) {
      watches(filter: $f, sort: price_asc, limit: $limit, offset: $offset) {
        total limit offset items { reference price stockAvailable category movement } } }"""
    seen: list[str] = []
    for offset in (0, 3, 6):
        body = await gql(client, query, {"f": {"category": "diver", "maxPrice": "1000"}, "limit": 3,
                                         "offset": offset})
        page = body["data"]["watches"]
        http = (await client.get("/api/v1/watches", params={"category": "diver", "max_price": "1000",
                                                              "sort": "price_asc", "limit": 3,
                                                              "offset": offset})).json()
        assert page["total"] == http["total"] and (page["limit"], page["offset"]) == (3, offset)
        assert [(w["reference"], w["price"], w["stockAvailable"]) for w in page["items"]] == \
            [(w["reference"], w["price"], w["stock_available"]) for w in http["items"]]
        assert all(isinstance(w["price"], str) and w["category"] == "diver" for w in page["items"])
        seen += [w["reference"] for w in page["items"]]
    assert len(seen) == len(set(seen)) == min(9, page["total"])
    bad = await gql(client, query, {"f": {"minPrice": "-5"}, "limit": 3, "offset": 0})
    assert codes(bad) == ["validation_error"] and bad["data"] is None
    too_many = await gql(client, query, {"f": None, "limit": 101, "offset": 0})
    assert codes(too_many) == ["invalid_input"]


async def test_a_watch_has_its_reviews_and_live_stock(client: httpx.AsyncClient, conn: Conn) -> None:
    query = """{ watch(reference: "srpd55k1") { reference price stockAvailable ratingAverage reviewCount
                 reviews { author rating title body } } missing: watch(reference: "NOPE1") { reference } }"""
    await conn.execute("UPDATE inventory SET available = 7, reserved = 0 FROM watches w "
                       "WHERE w.id = inventory.watch_id AND w.reference = 'SRPD55K1'")
    body = await gql(client, query)
    http = (await client.get("/api/v1/watches/SRPD55K1")).json()
    watch = body["data"]["watch"]
    assert body["data"]["missing"] is None
    assert (watch["price"], watch["stockAvailable"]) == (http["price"], 7)
    assert watch["reviewCount"] == http["review_count"] == len(watch["reviews"])
    assert watch["ratingAverage"] == (http["rating_average"] and str(http["rating_average"]))
    assert [(r["author"], r["title"]) for r in watch["reviews"]] == \
        [(r["author"], r["title"]) for r in http["reviews"]]


async def test_search_gives_the_http_apis_answer(client: httpx.AsyncClient) -> None:
    query = """query($q: String!) { search(query: $q, limit: 10) { filters notes
                 results { score matched nearMiss watch { reference price } } } }"""
    for q in ("automatic diver under $500", "dress watch 38mm", "gmt sapphire"):
        found = (await gql(client, query, {"q": q}))["data"]["search"]
        http = (await client.get("/api/v1/search", params={"q": q, "limit": 10})).json()
        assert found["filters"] == http["filters"] and found["notes"] == http["notes"]
        assert [(h["watch"]["reference"], h["watch"]["price"], h["matched"], h["nearMiss"]) for h in found["results"]] \
            == [(h["watch"]["reference"], h["watch"]["price"], h["matched"], h["near_miss"]) for h in http["results"]]


async def test_my_orders_are_the_callers_own(client: httpx.AsyncClient, users: Users) -> None:
    alice, bob = await users.customer(), await users.customer()
    placed = await client.post("/api/v1/orders", json={"items": [{"reference": "SRPD55K1", "quantity": 1}]},
                               headers=alice)
    assert placed.status_code == 201, placed.text
    query = "{ myOrders { id status total currency items { reference quantity unitPrice } } }"
    mine = (await gql(client, query, headers=alice))["data"]["myOrders"]
    assert [(o["id"], o["total"]) for o in mine] == [(placed.json()["id"], placed.json()["total"])]
    assert (await gql(client, query, headers=bob))["data"]["myOrders"] == []
    anonymous = await gql(client, query)
    assert codes(anonymous) == ["unauthorized"] and anonymous["data"] is None
    forged = await client.post("/graphql", json={"query": query}, headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith("application/problem+json")


async def test_depth_and_cost_limits_refuse_before_anything_runs(
    client: httpx.AsyncClient, counted: tuple[Conn, Statements]
) -> None:
    deep = "{ search(query: \"x\") { results { watch { reviews { author { a { b { c { d } } } } } } } } }"
    assert any("exceeds maximum operation depth" in e["message"] for e in (await gql(client, deep))["errors"])
    page = "watches(limit: 100) { items { reference name price reviews { author rating title body } } }"
    one = await gql(client, "{ " + page + " }")
    assert "errors" not in one
    aliased = "{ " + " ".join(f"p{n}: {page}" for n in range(5)) + " }"
    refused = await gql(client, aliased)
    assert codes(refused) == ["query_too_expensive"] and refused.get("data") is None
    # Refused in validation: not one statement ran.
    conn, statements = counted
    context = {CONTEXT_KEY: StoreContext(conn=conn, principal=None, embedder=None, rates={})}
    assert (await SCHEMA.execute(aliased, context_value=context)).errors
    assert statements.seen == []


async def test_unexpected_errors_are_masked(client: httpx.AsyncClient, conn: Conn) -> None:
    # A bug (here: the code and the database disagree about a column) reaches the client as a generic
    # message, never the SQL error that names tables and columns.
    await conn.execute("ALTER TABLE reviews RENAME COLUMN title TO heading")
    body = await gql(client, "{ watches(limit: 3) { items { reference reviews { title } } } }")
    assert {e["message"] for e in body["errors"]} == {"Unexpected error."}
    assert all(set(e) <= {"message", "locations", "path"} for e in body["errors"])
    assert "v.title" not in str(body) and "does not exist" not in str(body)
    assert "extensions" not in body["errors"][0] or "code" not in body["errors"][0]["extensions"]


async def test_a_federation_gateway_resolves_watches_by_reference(client: httpx.AsyncClient) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Watch { reference price } } }"""
    body = await gql(client, query, {"r": [{"__typename": "Watch", "reference": "SRPD55K1"},
                                           {"__typename": "Watch", "reference": "NOPE1"}]})
    http = (await client.get("/api/v1/watches/SRPD55K1")).json()
    assert body["data"]["_entities"] == [{"reference": "SRPD55K1", "price": http["price"]}, None]
    assert "@key" in (await gql(client, "{ _service { sdl } }"))["data"]["_service"]["sdl"]
