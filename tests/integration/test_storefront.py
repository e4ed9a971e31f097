"""The storefront pages, rendered on the server from live data (browser journeys: tests/browser)."""

from __future__ import annotations

import re

import httpx
import pytest

from db.pool import Conn
from tests.fix_app import Users

pytestmark = pytest.mark.integration


async def test_catalog_page_lists_every_watch_with_live_prices(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<title>Catalog · Seiko Watch Store</title>" in page
    total = (await client.get("/api/v1/watches?limit=1")).json()["total"]
    assert f"{total} watches" in page
    assert page.count('<article class="card') == total
    assert '<label for="q" class="visually-hidden">' in page
    filtered = (await client.get("/", params={"category": "diver", "sort": "price_asc"})).text
    prices = [float(p.replace(",", "")) for p in re.findall(r'<p class="price">\$([\d,]+\.\d\d)</p>', filtered)]
    assert prices == sorted(prices)
    assert len(prices) < total


async def test_search_page_shows_understood_filters_as_removable_chips(client: httpx.AsyncClient) -> None:
    page = (await client.get("/search", params={"q": "automatic diver under $500"})).text
    assert 'aria-label="Remove under $500"' in page
    assert "/search?q=automatic%20diver" in page
    assert 'aria-label="Why it matched"' in page
    assert "price $495.00 is at most $500.00" in page
    empty = (await client.get("/search", params={"q": "gold dress watch under $200"})).text
    assert "Nothing in the catalog matches" in empty


async def test_watch_page_specs_reviews_and_stock(client: httpx.AsyncClient, conn: Conn) -> None:
    page = (await client.get("/watches/SRPE93K1")).text
    assert "<h1>Prospex" in page
    assert '<th scope="row">Water resistance</th><td>200 m</td>' in page
    assert page.count("<blockquote>") >= 2
    await conn.execute("UPDATE inventory SET available = 0 FROM watches w WHERE w.id = inventory.watch_id "
                       "AND w.reference = 'SRPE93K1'")
    assert "Out of stock" in (await client.get("/watches/SRPE93K1")).text
    missing = await client.get("/watches/NOPE123")
    assert missing.status_code == 404


async def test_review_text_is_escaped(client: httpx.AsyncClient, conn: Conn) -> None:
    await conn.execute("UPDATE reviews SET body = '<script>alert(1)</script>' WHERE id = "
                       "(SELECT min(r.id) FROM reviews r JOIN watches w ON w.id = r.watch_id "
                       "WHERE w.reference = 'SRPE93K1')")
    page = (await client.get("/watches/SRPE93K1")).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert (await client.get("/static/store.css")).status_code == 200


async def _order_page(client: httpx.AsyncClient) -> str:
    headers = await Users(client).customer()
    r = await client.post("/api/v1/orders", json={"items": [{"reference": "SRPD55K1", "quantity": 1}]}, headers=headers)
    assert r.status_code == 201, r.text
    page = await client.get(f"/orders/{r.json()['id']}", headers=headers)
    assert page.status_code == 200
    return page.text


async def test_checkout_page_marks_simulated_payments(client: httpx.AsyncClient) -> None:
    page = await _order_page(client)
    assert "<strong>Simulated payments.</strong>" in page
    assert "Pay (simulated)" in page
    assert "js.stripe.com" not in page


async def test_checkout_page_uses_stripe_elements_when_stripe_is_configured(stripe_client: httpx.AsyncClient) -> None:
    page = await _order_page(stripe_client)
    assert '<script src="https://js.stripe.com/v3/"></script>' in page
    assert '<div id="payment-element"></div>' in page
    assert 'data-publishable-key="pk_test_' in page
    assert "Simulated payments" not in page
    csp = (await stripe_client.get("/")).headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline' https://js.stripe.com" in csp
    assert "frame-src https://js.stripe.com" in csp
