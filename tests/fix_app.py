"""The real app, wired by the composition root, on a test database; and helpers to act as users."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from prometheus_client import generate_latest

from app.runtime import build_app
from app.settings import Settings
from rag.embedder import Embedder

ADMIN_EMAIL = "admin@seiko.test"
ADMIN_PASSWORD = "admin-password-123"
PASSWORD = "shopper-password-123"
ALERT_TOKEN = "alert-token-for-tests-0123456789"


def make_settings(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "SEIKO_ENV": "test",
        "DATABASE_URL": db_url,
        "SEIKO_JWT_SECRET": "test-secret-" + "x" * 32,
        "SEIKO_RATE_LIMIT": "100000/minute",
        "SEIKO_RATE_LIMIT_AUTH": "100000/minute",
        "SEIKO_RATE_LIMIT_CHAT": "100000/minute",
        "SEIKO_BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
        "SEIKO_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "SEIKO_DB_POOL_MAX": 20,
        "SEIKO_LOG_JSON": True,
        "SEIKO_SCHEDULER": False,  # tests drive jobs directly; one test runs the scheduler itself
        "SEIKO_INDEX_ON_START": False,  # the template database is indexed once per session
        "SEIKO_WORKER": False,  # tests run queued jobs with app.state.worker.run_once()
        "ALERTMANAGER_WEBHOOK_TOKEN": ALERT_TOKEN,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def scrape() -> str:
    """What the metrics port serves: this process's registry, as Prometheus reads it. (The store's own
    port has no /metrics; business gauges are refreshed by app.gauges, not by a scrape.)"""
    return generate_latest().decode()


# One embedding model per test session, loaded on first use.
EMBEDDER = Embedder()


def build_test_app(settings: Settings) -> FastAPI:
    return build_app(settings, embedder=EMBEDDER)


async def started(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        yield app


@pytest_asyncio.fixture
async def app(db_url: str) -> AsyncIterator[FastAPI]:
    async for running in started(build_test_app(make_settings(db_url))):
        yield running


@pytest_asyncio.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://store.test") as c:
        yield c


class Users:
    """Creates accounts through the API and returns bearer headers for them."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def login(self, email: str, password: str) -> dict[str, str]:
        r = await self.client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def customer(self, email: str | None = None) -> dict[str, str]:
        email = email or f"shopper-{uuid.uuid4().hex[:10]}@example.com"
        r = await self.client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "S"})
        assert r.status_code == 201, r.text
        return await self.login(email, PASSWORD)

    async def admin(self) -> dict[str, str]:
        return await self.login(ADMIN_EMAIL, ADMIN_PASSWORD)

    async def ops(self) -> dict[str, str]:
        email = f"ops-{uuid.uuid4().hex[:10]}@example.com"
        r = await self.client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "O"})
        assert r.status_code == 201, r.text
        admin = await self.admin()
        r = await self.client.patch(f"/api/v1/admin/users/{r.json()['id']}/role", json={"role": "ops"}, headers=admin)
        assert r.status_code == 200, r.text
        return await self.login(email, PASSWORD)


@pytest.fixture
def users(client: httpx.AsyncClient) -> Users:
    return Users(client)


@pytest.fixture
def settings_for() -> Callable[..., Settings]:
    return make_settings
