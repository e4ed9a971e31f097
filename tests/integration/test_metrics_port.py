"""GET /metrics lives on its own port (SEIKO_METRICS_PORT), never on the store's; with
SEIKO_METRICS_TOKEN set it needs that bearer token; and a scrape costs no database work, because the
gauges that mirror the database are refreshed on a schedule."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from api.metrics_endpoint import MetricsServer, start_metrics_server
from app.gauges import refresh_business_gauges
from tests.fix_app import Users

pytestmark = pytest.mark.integration

TOKEN = "metrics-token-0123456789abcdef"


def get(url: str, token: str | None = None) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


@pytest.fixture
def metrics_server() -> Iterator[MetricsServer]:
    server = start_metrics_server("127.0.0.1", 0, token=TOKEN)
    yield server
    server.close()


async def test_the_store_port_has_no_metrics(client: httpx.AsyncClient) -> None:
    r = await client.get("/metrics")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_the_metrics_port_needs_the_bearer_token(metrics_server: MetricsServer) -> None:
    url = f"http://127.0.0.1:{metrics_server.port}/metrics"
    for token in (None, "wrong", TOKEN + "x"):
        status, body, headers = get(url, token)
        assert status == 401 and headers["WWW-Authenticate"] == "Bearer" and '"code": "unauthorized"' in body
    status, body, headers = get(url, TOKEN)
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "http_request" in body
    assert get(f"http://127.0.0.1:{metrics_server.port}/", TOKEN)[0] == 404


def test_without_a_token_the_metrics_port_is_open() -> None:
    server = start_metrics_server("127.0.0.1", 0, token=None)
    try:
        status, body, _ = get(f"http://127.0.0.1:{server.port}/metrics")
        assert status == 200 and "http_request" in body
    finally:
        server.close()


def low_stock(text: str) -> float:
    match = re.search(r"^watches_low_stock_total (\S+)$", text, re.MULTILINE)
    assert match, text
    return float(match.group(1))


async def test_business_gauges_change_on_refresh_not_on_scrape(
    app: FastAPI, client: httpx.AsyncClient, users: Users, metrics_server: MetricsServer
) -> None:
    url = f"http://127.0.0.1:{metrics_server.port}/metrics"
    async with app.state.pool.connection() as conn:
        await refresh_business_gauges(conn)
    before = low_stock(get(url, TOKEN)[1])
    # Take a watch that is above its reorder point down to zero.
    page = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()
    admin = await users.admin()
    async with app.state.pool.connection() as conn:
        cur = await conn.execute("""SELECT w.reference, i.available FROM inventory i JOIN watches w ON w.id = i.watch_id
                                    WHERE w.active AND i.available > i.reorder_point ORDER BY w.reference LIMIT 1""")
        row = await cur.fetchone()
    assert row is not None and any(w["reference"] == row["reference"] for w in page["items"])
    r = await client.post(f"/api/v1/admin/inventory/{row['reference']}/adjustments",
                          json={"delta": -row["available"], "reason": "metrics test: sold out"}, headers=admin)
    assert r.status_code == 201, r.text
    assert low_stock(get(url, TOKEN)[1]) == before, "a scrape must not query the database"
    async with app.state.pool.connection() as conn:
        await refresh_business_gauges(conn)
    assert low_stock(get(url, TOKEN)[1]) == before + 1
