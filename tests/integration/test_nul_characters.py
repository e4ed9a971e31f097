"""NUL characters are refused at the edge with 422 `nul_character`, wherever they come: path, query,
header, JSON body, form body. PostgreSQL text cannot hold NUL, so before this each of these reached a
query and answered 500 (or closed the connection)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from tests.fix_app import ALERT_TOKEN, PASSWORD, Users
from tests.integration.test_stock_agent import alert, payload

pytestmark = pytest.mark.integration

NUL = "\u0000"


def refused(r: httpx.Response) -> bool:
    return (r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
            and r.json()["code"] == "nul_character")


async def test_every_route_refuses_a_nul_in_its_path(app: FastAPI, client: httpx.AsyncClient, users: Users) -> None:
    admin = await users.admin()
    failures = []
    routes = [r for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)]
    with_params = [r for r in routes if "{" in (r.path or "")]
    assert len(with_params) >= 10
    for route in with_params:
        path = re.sub(r"\{(\w+)(:\w+)?\}", "a%00b", route.path or "")
        for method in sorted((route.methods or set()) - {"HEAD"}):
            body = {} if method in {"POST", "PUT", "PATCH"} else None
            r = await client.request(method, path, json=body, headers=admin)
            if not refused(r):
                failures.append(f"{method} {path}: {r.status_code}")
    assert failures == []


@pytest.mark.parametrize("url", [
    "/api/v1/watches?collection=%00", "/api/v1/watches?q=Prospex%00", "/api/v1/search?q=diver%00",
    "/api/v1/ops/decisions?trigger=alert%00", "/api/v1/ops/reorders?status=%00", "/search?q=%00",
    "/?collection=Prospex%00", "/api/v1/watches/SRPD55K1%00", "/watches/SRPD55K1%00",
])
async def test_queries_and_ids_with_a_nul_are_refused(client: httpx.AsyncClient, users: Users, url: str) -> None:
    r = await client.get(url, headers=await users.admin())
    assert refused(r), (r.status_code, r.text[:200])


async def _bodies(users: Users) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
    customer, admin = await users.customer(), await users.admin()
    alert_with_nul = alert("fp-nul")
    alert_with_nul["labels"]["watch"] = f"SRPD55K1{NUL}"
    return [
        ("POST", "/api/v1/auth/login", {"email": f"admin{NUL}@seiko.test", "password": PASSWORD}, {}),
        ("POST", "/api/v1/auth/register", {"email": "nul@example.com", "password": PASSWORD, "name": f"A{NUL}"}, {}),
        ("POST", "/api/v1/auth/session", {"email": f"a{NUL}@example.com", "password": PASSWORD}, {}),
        ("PUT", "/api/v1/cart/items/SRPD55K1", {"quantity": 1, "note": NUL}, customer),
        ("POST", "/api/v1/orders", {"items": [{"reference": f"SRPD55K1{NUL}", "quantity": 1}]}, customer),
        ("PATCH", "/api/v1/admin/watches/SRPD55K1", {"description": f"steel{NUL}"}, admin),
        ("POST", "/api/v1/ops/prompts/shopper_assistant_system/versions", {"template": f"hi{NUL}"}, admin),
        ("POST", "/api/v1/chat", {"message": f"diver{NUL}"}, customer),
        ("POST", "/api/v1/alerts/alertmanager", payload(alert_with_nul), {"Authorization": f"Bearer {ALERT_TOKEN}"}),
    ]


async def test_json_bodies_with_a_nul_are_refused(client: httpx.AsyncClient, users: Users) -> None:
    failures = []
    for method, url, body, headers in await _bodies(users):
        r = await client.request(method, url, json=body, headers=headers)
        if not refused(r):
            failures.append(f"{method} {url}: {r.status_code} {r.text[:120]}")
    assert failures == []


async def test_raw_nul_bytes_in_a_body_are_refused(client: httpx.AsyncClient) -> None:
    raw = json.dumps({"email": "admin@seiko.test", "password": PASSWORD}).encode().replace(b"@", b"\x00@")
    r = await client.post("/api/v1/auth/login", content=raw, headers={"Content-Type": "application/json"})
    assert refused(r)


async def test_form_bodies_with_a_nul_are_refused(client: httpx.AsyncClient) -> None:
    # FastAPI reads a form-encoded body as the model too; a percent-encoded NUL decodes to one.
    r = await client.post("/api/v1/auth/register", content=b"email=x%40example.com&password=p&name=A%00",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert refused(r)


async def test_headers_with_a_nul_are_refused(client: httpx.AsyncClient, users: Users) -> None:
    customer = await users.customer()
    r = await client.post("/api/v1/orders", json={"items": [{"reference": "SRPD55K1", "quantity": 1}]},
                          headers={**customer, "Idempotency-Key": b"key\x00one"})  # type: ignore[dict-item]
    assert refused(r)


async def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(client: httpx.AsyncClient) -> None:
    """`"\\\\u0000"` in JSON is a backslash and the letters u0000: an ordinary name."""
    body = b'{"email": "backslash@example.com", "password": "' + PASSWORD.encode() + b'", "name": "A\\\\u0000"}'
    r = await client.post("/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "A\\u0000"
