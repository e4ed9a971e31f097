"""Probes, metrics, problem+json everywhere, correlation ids, security headers, CORS, OpenAPI."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

import httpx
import pytest
import structlog
from fastapi import FastAPI

from api.deps import Public
from app.gauges import refresh_business_gauges
from app.settings import Settings
from tests.fix_app import PASSWORD, Users, build_test_app, scrape, started

pytestmark = pytest.mark.integration


async def test_health_ready_and_correlation_id(client: httpx.AsyncClient) -> None:
    r = await client.get("/health")
    assert r.status_code == 200
    assert r.headers["x-correlation-id"]
    r = await client.get("/ready", headers={"X-Correlation-ID": "0f6a1b7c9d2e4f5a8b3c6d1e2f3a4b5c"})
    assert r.status_code == 200
    assert r.headers["x-correlation-id"] == "0f6a1b7c9d2e4f5a8b3c6d1e2f3a4b5c"


async def test_security_headers(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/watches")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "referrer-policy" in r.headers


async def test_unknown_route_and_wrong_method_are_problems(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/this-route-does-not-exist")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "not_found"
    assert r.headers["x-correlation-id"]
    r = await client.delete("/api/v1/watches")
    assert r.status_code == 405
    assert r.json()["code"] == "method_not_allowed"


async def test_metrics_use_route_templates_and_business_names(app: FastAPI, client: httpx.AsyncClient,
                                                              users: Users) -> None:
    await client.get("/api/v1/watches/SRPD55K1")
    await client.get("/api/v1/watches/NOT-A-WATCH-1")
    headers = await users.customer()
    ref = (await client.get("/api/v1/watches", params={"limit": 1, "in_stock": True})).json()["items"][0]["reference"]
    r = await client.post("/api/v1/orders", json={"items": [{"reference": ref, "quantity": 1}]}, headers=headers)
    assert r.status_code == 201
    await client.get("/openapi.json")
    async with app.state.pool.connection() as conn:  # what the scheduled refresh does
        await refresh_business_gauges(conn)
    text = scrape()
    assert 'handler="/openapi.json"' in text
    assert re.search(r"^\w+_created(\{| )", text, re.MULTILINE) is None
    assert 'handler="/api/v1/watches/{reference}"' in text
    assert "NOT-A-WATCH-1" not in text
    assert "http_request_duration_seconds" in text
    created = [line for line in text.splitlines() if line.startswith("orders_created_total ")]
    assert created and float(created[0].split()[1]) >= 1
    assert "orders_revenue_dollars_total" in text
    low = [line for line in text.splitlines() if line.startswith("watches_low_stock_total ")]
    board = (await client.get("/api/v1/admin/dashboard", headers=await users.admin())).json()
    assert float(low[0].split()[1]) == board["low_stock_count"]


async def test_log_lines_are_json_with_the_correlation_id(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.logging import configure_logging

    configure_logging(level="INFO", json=True)
    try:
        await client.get("/api/v1/watches", headers={"X-Correlation-ID": "aaaabbbbccccddddeeeeffff00001111"})
        logging.getLogger("a.library").warning("library line")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    finally:  # the configuration wrote to capsys's stream, which closes with this test
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
    access = [entry for entry in lines if entry.get("event") == "request"]
    assert access
    assert access[-1]["correlation_id"] == "aaaabbbbccccddddeeeeffff00001111"
    assert access[-1]["path"] == "/api/v1/watches"
    assert access[-1]["status"] == 200
    library = [entry for entry in lines if entry.get("event") == "library line"]
    assert library[0]["logger"] == "a.library"
    assert library[0]["level"] == "warning"


async def test_docs_work_offline(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text
    assert "/docs-assets/swagger-ui-bundle.js" in page.text
    asset = await client.get("/docs-assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000


async def test_openapi_is_complete(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in ("/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/watches", "/api/v1/watches/{reference}",
                 "/api/v1/orders", "/api/v1/cart", "/api/v1/admin/dashboard", "/health", "/ready"):
        assert path in paths, path
    assert spec["components"]["schemas"]["WatchPublic"]["example"]["reference"] == "SRPD55K1"
    assert "409" in paths["/api/v1/orders"]["post"]["responses"]


async def test_cors_from_settings(db_url: str, settings_for: Callable[..., Settings]) -> None:
    app = build_test_app(settings_for(db_url, SEIKO_CORS_ORIGINS=["https://shop.example"]))
    async for running in started(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=running), base_url="http://t") as c:
            ok = await c.options("/api/v1/watches", headers={"Origin": "https://shop.example",
                                                              "Access-Control-Request-Method": "GET"})
            assert ok.headers["access-control-allow-origin"] == "https://shop.example"
            other = await c.get("/api/v1/watches", headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in other.headers


async def test_per_ip_rate_limit(db_url: str, settings_for: Callable[..., Settings]) -> None:
    app = build_test_app(settings_for(db_url, SEIKO_RATE_LIMIT="5/minute"))
    async for running in started(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=running), base_url="http://t") as c:
            codes = [(await c.get("/api/v1/watches?limit=1")).status_code for _ in range(7)]
            # The per-IP limiter is a sliding-window counter: exact within a window, and at most one
            # request early when a burst straddles a window boundary.
            assert codes[:5] == [200] * 5
            assert codes[-1] == 429
            assert (await c.get("/health")).status_code == 200


# --- headers and echoes on every kind of answer ---------------------------------------------------------

async def test_every_answer_has_exactly_one_correlation_id(app: FastAPI, client: httpx.AsyncClient,
                                                         users: Users) -> None:
    async def boom() -> None:
        raise RuntimeError("a bug")

    app.router.add_api_route("/api/v1/test-only-boom", boom, dependencies=[Public])
    answers = [
        await client.get("/api/v1/watches?limit=1"),  # 200
        await client.get("/api/v1/watches/NOT-A-WATCH-1"),  # 404 from the domain
        await client.get("/api/v1/nothing-here"),  # 404 from routing
        await client.get("/api/v1/watches?limit=0"),  # 422
        await client.get("/api/v1/auth/me"),  # 401
        await client.post("/api/v1/auth/login", content=b"{", headers={"Content-Type": "application/json"}),  # 400
    ]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://store.test") as raw:
        answers.append(await raw.get("/api/v1/test-only-boom"))  # 500
    assert [r.status_code for r in answers] == [200, 404, 404, 422, 401, 400, 500]
    for r in answers:
        assert len(r.headers.get_list("x-correlation-id")) == 1, (r.status_code, r.headers)


async def test_token_and_account_answers_are_never_stored(client: httpx.AsyncClient, users: Users) -> None:
    email = "nostore@example.com"
    answers = [
        await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "N"}),
        await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}),
        await client.post("/api/v1/auth/login", json={"email": email, "password": "wrong-password"}),
        await client.post("/api/v1/auth/session", json={"email": email, "password": PASSWORD}),
        await client.get("/api/v1/auth/me", headers=await users.login(email, PASSWORD)),
        await client.get("/account/login"),
        await client.get("/account/register"),
    ]
    assert [r.status_code for r in answers] == [201, 200, 401, 200, 200, 303, 303]  # signed in: sent on
    for r in answers:
        assert r.headers.get("cache-control") == "no-store", (r.request.url, r.headers)
    # The catalog stays cacheable as before.
    assert (await client.get("/api/v1/watches?limit=1")).headers.get("cache-control") != "no-store"


@pytest.mark.parametrize("path", ["/api/v1/watches/{ref}", "/api/v1/watches/{ref}/image.svg", "/watches/{ref}"])
async def test_a_huge_reference_is_not_echoed_back_in_full(client: httpx.AsyncClient, path: str) -> None:
    reference = "A" * 20_000
    r = await client.get(path.format(ref=reference))
    assert r.status_code in (404, 422), r.status_code
    # A problem is small; a page is the site's layout around a short message (a few kB of HTML).
    assert len(r.content) < (2_000 if path.startswith("/api/") else 12_000), len(r.content)
    assert "A" * 300 not in r.text
