"""Accounts and tokens: register, login, logout that ends the session, hostile tokens."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from app.settings import Settings
from db.migrate import MIGRATIONS_DIR
from db.pool import Conn
from tests.fix_app import PASSWORD, Users, build_test_app, started

pytestmark = pytest.mark.integration

SECRET = "test-secret-" + "x" * 32


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def session_claims(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    token = headers["Authorization"].split()[1]
    return dict(jwt.decode(token, options={"verify_signature": False}))


async def test_register_login_me(client: httpx.AsyncClient) -> None:
    body = {"email": "Ana@Example.com", "password": PASSWORD, "name": "Ana"}
    r = await client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 201
    assert r.json()["role"] == "customer"
    assert "password" not in json.dumps(r.json())
    r = await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == "Ana@example.com"  # the domain part is normalised


async def test_duplicate_email_and_wrong_password(client: httpx.AsyncClient) -> None:
    body = {"email": "dup@example.com", "password": PASSWORD, "name": "D"}
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
    r = await client.post("/api/v1/auth/register", json={**body, "email": "DUP@example.com"})
    assert r.status_code == 409
    assert r.json()["code"] == "email_taken"
    r = await client.post("/api/v1/auth/login", json={"email": "dup@example.com", "password": "wrong-password"})
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_credentials"
    r = await client.post("/api/v1/auth/login", json={"email": "nobody@example.com", "password": "wrong-password"})
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_credentials"


async def test_seeded_history_buyers_cannot_log_in(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/auth/login", json={"email": "buyer000@history.seiko.invalid", "password": "x" * 12})
    assert r.status_code == 401


async def test_logout_ends_the_session_at_once(client: httpx.AsyncClient, users: Users) -> None:
    headers = await users.customer()
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    r = await client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_token"


async def test_expired_token_is_refused(client: httpx.AsyncClient, users: Users) -> None:
    claims = await session_claims(client, await users.customer())
    now = int(time.time())
    expired = jwt.encode({**claims, "iat": now - 7200, "exp": now - 60}, SECRET, algorithm="HS256")
    r = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


async def test_forged_and_alg_none_tokens_are_refused(client: httpx.AsyncClient, users: Users) -> None:
    claims = await session_claims(client, await users.customer())
    forged = jwt.encode(claims, "some-other-secret-" + "y" * 32, algorithm="HS256")
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    for token in (forged, unsigned, "not.a.jwt", ""):
        r = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_token_for_another_session_is_refused(client: httpx.AsyncClient, users: Users) -> None:
    claims = await session_claims(client, await users.customer())
    made_up = jwt.encode({**claims, "sid": "00000000-0000-4000-8000-000000000000"}, SECRET, algorithm="HS256")
    assert (await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {made_up}"})).status_code == 401


async def test_wrong_role_is_forbidden(client: httpx.AsyncClient, users: Users) -> None:
    customer, ops = await users.customer(), await users.ops()
    r = await client.get("/api/v1/admin/dashboard", headers=customer)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert (await client.get("/api/v1/admin/dashboard", headers=ops)).status_code == 200
    r = await client.post("/api/v1/admin/watches", json={}, headers=ops)
    assert r.status_code == 403


async def test_weak_input_on_register_is_refused(client: httpx.AsyncClient) -> None:
    for body in ({"email": "not-an-email", "password": PASSWORD, "name": "X"},
                 {"email": "short@example.com", "password": "short", "name": "X"},
                 {"email": "noname@example.com", "password": PASSWORD, "name": ""}):
        r = await client.post("/api/v1/auth/register", json=body)
        assert r.status_code == 422
        assert r.json()["code"] == "validation_error"


async def test_login_is_rate_limited_per_ip(db_url: str, settings_for: Callable[..., Settings]) -> None:
    app = build_test_app(settings_for(db_url, SEIKO_RATE_LIMIT_AUTH="3/minute"))
    async for running in started(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=running), base_url="http://t") as c:
            codes = [(await c.post("/api/v1/auth/login", json={"email": "a@b.co", "password": "x"})).status_code
                     for _ in range(5)]
            assert codes == [401, 401, 401, 429, 429]
            r = await c.post("/api/v1/auth/login", json={"email": "a@b.co", "password": "x"})
            assert r.json()["code"] == "rate_limited"
            assert "retry-after" in r.headers


# --- lookalike addresses (NFKC) ----------------------------------------------------------------------

async def test_a_fullwidth_lookalike_cannot_register_a_second_account(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/auth/register", json={"email": "ana@example.com", "password": PASSWORD, "name": "A"})
    assert r.status_code == 201
    for lookalike in ("ａｎａ@example.com", "ＡＮＡ@ｅｘａｍｐｌｅ.ｃｏｍ", "ana\uff20example.com"):
        r = await client.post("/api/v1/auth/register", json={"email": lookalike, "password": PASSWORD, "name": "B"})
        assert (r.status_code, r.json()["code"]) == (409, "email_taken"), lookalike
    # Signing in with the lookalike is signing in to the one account.
    r = await client.post("/api/v1/auth/login", json={"email": "ａｎａ@example.com", "password": PASSWORD})
    assert r.status_code == 200


async def test_stored_lookalike_emails_are_normalised_by_the_migration(conn: Conn) -> None:
    await conn.execute("""INSERT INTO customers (email, name, password_hash, role) VALUES
                          ('ｂｏｂ@example.com', 'B', 'x', 'customer'), ('ｃａｒｌ@example.com', 'C', 'x', 'customer'),
                          ('carl@example.com', 'C2', 'x', 'customer')""")
    await conn.execute((MIGRATIONS_DIR / "0014_nfkc_emails.sql").read_text())
    cur = await conn.execute("SELECT email FROM customers WHERE name IN ('B', 'C', 'C2') ORDER BY name")
    # bob is normalised; the fullwidth carl stays, since carl@ already has an account.
    assert [r["email"] for r in await cur.fetchall()] == ["bob@example.com", "ｃａｒｌ@example.com", "carl@example.com"]
