"""Sign-in throttling over HTTP: per account and network with backoff, beside the per-IP limit; a
wrong-password flood from one network never refuses the right password from another."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from commerce.customers.throttle import LoginThrottle
from tests.fix_app import PASSWORD, Users, build_test_app, make_settings, started

pytestmark = pytest.mark.integration


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app: FastAPI) -> FakeClock:
    fake = FakeClock()
    app.state.login_throttle = LoginThrottle(clock=fake)
    return fake


@pytest.fixture
def from_ip(app: FastAPI) -> Callable[[str], AsyncIterator[httpx.AsyncClient]]:
    @asynccontextmanager
    async def client(ip: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://store.test") as c:
            yield c

    return client  # type: ignore[return-value]


async def test_a_flood_is_throttled_per_network_and_the_owner_still_signs_in_elsewhere(
    users: Users, clock: FakeClock, from_ip: Callable[[str], AsyncIterator[httpx.AsyncClient]]
) -> None:
    email = "owner@example.com"
    r = await users.client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "O"})
    assert r.status_code == 201
    attempts = {"email": email, "password": "wrong-password-000"}
    async with from_ip("198.51.100.66") as attacker, from_ip("198.51.100.67") as neighbour, \
            from_ip("203.0.113.7") as owner:
        codes = [(await attacker.post("/api/v1/auth/login", json=attempts)).status_code for _ in range(5)]
        assert codes == [401] * 5
        refused = await attacker.post("/api/v1/auth/login", json=attempts)
        assert refused.status_code == 429
        assert refused.json()["code"] == "login_throttled"
        assert refused.headers["retry-after"] == "30"
        # Refused before the password is checked: the right one gives the attacker's network nothing...
        right = {"email": email, "password": PASSWORD}
        assert (await attacker.post("/api/v1/auth/login", json=right)).status_code == 429
        # ...from any address of that network, through either sign-in route, in any letter case.
        assert (await neighbour.post("/api/v1/auth/session", json=right)).status_code == 429
        upper = {"email": email.upper(), "password": PASSWORD}
        assert (await neighbour.post("/api/v1/auth/login", json=upper)).status_code == 429
        # The owner, on another network, signs in at once.
        r = await owner.post("/api/v1/auth/login", json=right)
        assert r.status_code == 200, r.text
        # After the backoff the attacker's network is checked again, and the next failure doubles it.
        clock.now += 30
        assert (await attacker.post("/api/v1/auth/login", json=attempts)).status_code == 401
        assert (await attacker.post("/api/v1/auth/login", json=attempts)).headers["retry-after"] == "60"


async def test_unknown_accounts_are_throttled_alike(
    clock: FakeClock, from_ip: Callable[[str], AsyncIterator[httpx.AsyncClient]]
) -> None:
    """The throttle must not tell which emails have accounts."""
    async with from_ip("198.51.100.66") as attacker:
        body = {"email": "nobody@example.com", "password": "guess-guess-1"}
        codes = [(await attacker.post("/api/v1/auth/login", json=body)).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]


async def test_the_per_ip_limit_still_holds(db_url: str) -> None:
    async for limited in started(build_test_app(make_settings(db_url, SEIKO_RATE_LIMIT_AUTH="3/minute"))):
        transport = httpx.ASGITransport(app=limited, client=("192.0.2.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://store.test") as c:
            codes = [(await c.post("/api/v1/auth/login", json={"email": f"u{i}@example.com", "password": "x"})
                      ).status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]
