"""People get pages, machines get problem+json: errors of storefront pages are HTML in the site's
layout; validation messages are in plain words; a bad page number is refused; there is a favicon."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html"}


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/watches/UNKNOWN", 404, "No watch with reference &#39;UNKNOWN&#39;"),
    ("/?max_price=abc", 422, "Max price: Enter a number"),
    ("/?page=-1", 422, "Page: Use a number of at least 1"),
    ("/?page=two", 422, "Page: Enter a whole number"),
    ("/?movement=steam", 422, "Movement: Choose one of"),
    ("/no-such-page", 404, "There is no page at this address."),
    ("/search?q=", 422, "Q: This cannot be empty"),
])
async def test_page_errors_are_pages(client: httpx.AsyncClient, path: str, status: int, words: str) -> None:
    r = await client.get(path, headers=HTML)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert words in r.text
    assert '<header class="site">' in r.text  # the site's layout, with search and navigation
    assert "Back to the catalog" in r.text
    assert '"code"' not in r.text


async def test_the_api_keeps_problem_json_in_plain_words(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/watches/UNKNOWN", headers=HTML)
    assert (r.status_code, r.json()["code"]) == (404, "watch_not_found")
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.get("/api/v1/watches", params={"limit": 0, "max_price": "abc"})
    assert r.status_code == 422
    assert {e["msg"] for e in r.json()["errors"]} == {"Use a number of at least 1",
                                                       "Enter a number, such as 250 or 249.99"}
    assert {e["type"] for e in r.json()["errors"]} == {"greater_than_equal", "decimal_parsing"}
    r = await client.post("/api/v1/auth/register", json={"email": "not-an-email", "password": "short", "name": ""})
    assert r.status_code == 422
    by_field = {e["loc"][-1]: e["msg"] for e in r.json()["errors"]}
    assert by_field == {"email": "Enter an email address such as ana@example.com",
                        "password": "Use at least 10 characters", "name": "This cannot be empty"}


async def test_a_good_page_number_is_accepted(client: httpx.AsyncClient) -> None:
    assert (await client.get("/", params={"page": 1})).status_code == 200
    beyond = await client.get("/", params={"page": 2})
    assert beyond.status_code == 200
    assert "<article" not in beyond.text  # past the last page: no watches, not an error


async def test_favicon(client: httpx.AsyncClient) -> None:
    r = await client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg")
    assert '<link rel="icon" href="/static/favicon.svg"' in (await client.get("/")).text
    assert (await client.get("/static/favicon.svg")).status_code == 200
