"""Browsers sign in with an HttpOnly cookie session; cookie-authenticated writes need the CSRF echo."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.fix_app import PASSWORD, Users

pytestmark = pytest.mark.integration


_OPEN: list[httpx.AsyncClient] = []


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    while _OPEN:
        await _OPEN.pop().aclose()


async def browser_client(app: FastAPI, base_url: str = "http://store.test") -> httpx.AsyncClient:
    """A client that keeps cookies, as a browser does."""
    opened = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
    _OPEN.append(opened)
    return opened


async def signed_in(app: FastAPI, base_url: str = "http://store.test") -> tuple[httpx.AsyncClient, httpx.Response]:
    browser = await browser_client(app, base_url)
    email = f"web-{uuid.uuid4().hex[:8]}@example.com"
    r = await browser.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "W"})
    assert r.status_code == 201
    r = await browser.post("/api/v1/auth/session", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json()["email"] == email
    return browser, r


async def test_session_cookie_is_httponly_and_csrf_cookie_is_readable(app: FastAPI) -> None:
    browser, r = await signed_in(app)
    cookies = {c.split("=", 1)[0]: c.lower() for c in r.headers.get_list("set-cookie")}
    assert "httponly" in cookies["seiko_session"] and "samesite=lax" in cookies["seiko_session"]
    assert "httponly" not in cookies["seiko_csrf"]
    assert "secure" not in cookies["seiko_session"]  # plain http here; see the https test
    assert (await browser.get("/api/v1/auth/me")).status_code == 200
    assert "access_token" not in r.text  # the token never reaches page scripts


async def test_cookie_writes_need_the_csrf_header_and_nothing_changes_without_it(app: FastAPI) -> None:
    browser, _ = await signed_in(app)
    missing = await browser.put("/api/v1/cart/items/SRPD55K1", json={"quantity": 1})
    assert missing.status_code == 403
    assert missing.json()["code"] == "csrf_failed"
    wrong = await browser.put("/api/v1/cart/items/SRPD55K1", json={"quantity": 1},
                              headers={"X-CSRF-Token": "not-the-cookie"})
    assert wrong.status_code == 403
    assert (await browser.get("/api/v1/cart")).json()["items"] == []
    token = browser.cookies["seiko_csrf"]
    ok = await browser.put("/api/v1/cart/items/SRPD55K1", json={"quantity": 2}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200
    assert ok.json()["items"][0]["quantity"] == 2


async def test_the_csrf_token_is_bound_to_the_session(app: FastAPI) -> None:
    """Double submit alone trusts any cookie: one planted by another subdomain (or left from an old
    session) with a matching header passed. The value must be this session's own."""
    browser, _ = await signed_in(app)
    planted = "planted-by-a-sibling-subdomain"
    browser.cookies.set("seiko_csrf", planted, domain="store.test")
    r = await browser.put("/api/v1/cart/items/SRPD55K1", json={"quantity": 1}, headers={"X-CSRF-Token": planted})
    assert (r.status_code, r.json()["code"]) == (403, "csrf_failed")
    # Another session's genuine value does not fit this one either.
    other, _ = await signed_in(app)
    theirs = other.cookies["seiko_csrf"]
    browser.cookies.set("seiko_csrf", theirs, domain="store.test")
    r = await browser.put("/api/v1/cart/items/SRPD55K1", json={"quantity": 1}, headers={"X-CSRF-Token": theirs})
    assert r.status_code == 403
    assert (await browser.get("/api/v1/cart")).json()["items"] == []
    # A new sign-in gives a new value, which works for the new session only.
    again = await browser.post("/api/v1/auth/session", json={"email": (await browser.get("/api/v1/auth/me")).json()[
        "email"], "password": PASSWORD})
    assert again.status_code == 200
    mine = again.cookies["seiko_csrf"]
    assert mine != theirs
    ok = await browser.put("/api/v1/cart/items/SRPD55K1", json={"quantity": 1}, headers={"X-CSRF-Token": mine})
    assert ok.status_code == 200, ok.text


async def test_bearer_clients_are_unaffected_by_csrf(client: httpx.AsyncClient, users: Users) -> None:
    headers = await users.customer()
    r = await client.put("/api/v1/cart/items/SRPD55K1", json={"quantity": 1}, headers=headers)
    assert r.status_code == 200


async def test_signing_out_ends_the_session_and_clears_cookies(app: FastAPI) -> None:
    browser, _ = await signed_in(app)
    stale = browser.cookies["seiko_session"]
    token = browser.cookies["seiko_csrf"]
    r = await browser.delete("/api/v1/auth/session", headers={"X-CSRF-Token": token})
    assert r.status_code == 204
    assert "seiko_session" not in browser.cookies
    # The old cookie no longer works anywhere: the server-side session has ended.
    browser.cookies.set("seiko_session", stale, domain="store.test")
    assert (await browser.get("/api/v1/auth/me")).status_code == 401
    # A stale cookie is anonymous on public pages, and pages that need a user ask to sign in.
    assert (await browser.get("/")).status_code == 200
    r = await browser.get("/orders")
    assert r.status_code == 303
    assert r.headers["location"] == "/account/login?next=%2Forders"
    # The cart page is open to guests: it shows this browser's own (empty) cart, not the account's.
    r = await browser.get("/cart")
    assert r.status_code == 200
    assert "Your cart is empty" in r.text


async def test_sign_in_page_only_returns_to_this_site(app: FastAPI) -> None:
    browser, _ = await signed_in(app)
    for target, expected in [("/orders", "/orders"), ("//evil.example/x", "/"), ("https://evil.example", "/"),
                             ("/\\evil.example", "/")]:
        r = await browser.get("/account/login", params={"next": target})
        assert r.status_code == 303
        assert r.headers["location"] == expected
    anonymous = await browser_client(app)
    page = (await anonymous.get("/account/login", params={"next": "//evil.example"})).text
    assert 'data-next="/"' in page


ENCODED_ESCAPES = ["/%09/evil.example/", "/%0A/evil.example/", "/%0D/evil.example/", "%2F%09%2Fevil.example",
                   "/%5C/evil.example", "%5C%5Cevil.example", "/%09%5Cevil.example", "%09//evil.example",
                   "%20//evil.example", "java%09script:alert(1)"]


@pytest.mark.parametrize("raw_next", ENCODED_ESCAPES)
async def test_sign_in_page_refuses_targets_a_browser_would_read_as_another_host(app: FastAPI, raw_next: str) -> None:
    """Browsers drop tabs and newlines and read a backslash as a slash: `/\t/evil.example/` is
    `//evil.example/`, another host."""
    browser, _ = await signed_in(app)
    r = await browser.get(f"/account/login?next={raw_next}")
    assert (r.status_code, r.headers["location"]) == (303, "/")
    anonymous = await browser_client(app)
    page = (await anonymous.get(f"/account/register?next={raw_next}")).text
    assert 'data-next="/"' in page


async def test_cookies_are_secure_over_https(app: FastAPI) -> None:
    _, r = await signed_in(app, base_url="https://store.test")
    assert all("secure" in c.lower() for c in r.headers.get_list("set-cookie"))


async def test_wrong_password_sets_no_cookie(app: FastAPI) -> None:
    browser = await browser_client(app)
    r = await browser.post("/api/v1/auth/session", json={"email": "nobody@example.com", "password": "x" * 12})
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_credentials"
    assert "set-cookie" not in r.headers


async def test_stripe_is_allowed_by_the_page_policy_only_when_stripe_is_active(client: httpx.AsyncClient) -> None:
    csp = (await client.get("/")).headers["content-security-policy"]
    assert "js.stripe.com" not in csp
    assert "script-src 'self'" in csp


async def test_bad_sign_in_bodies_are_problems_and_set_no_cookie(app: FastAPI) -> None:
    browser = await browser_client(app)
    broken = await browser.post("/api/v1/auth/session", content=b"{not json",
                                headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["code"] == "malformed_json"
    missing = await browser.post("/api/v1/auth/session", json={"email": "a@example.com"})
    assert missing.status_code == 422 and missing.json()["code"] == "validation_error"
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert "set-cookie" not in broken.headers and "set-cookie" not in missing.headers
