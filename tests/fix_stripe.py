"""The store wired to the local Stripe fake, through the real `stripe` SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from tests.fakes.stripe_server import StripeFake, running_stripe_fake
from tests.fix_app import build_test_app, make_settings, started

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"


@pytest.fixture
def stripe_fake() -> Iterator[StripeFake]:
    with running_stripe_fake() as fake:
        yield fake


@pytest_asyncio.fixture
async def stripe_app(db_url: str, stripe_fake: StripeFake) -> AsyncIterator[FastAPI]:
    settings = make_settings(db_url, **stripe_settings(db_url, stripe_fake))
    async for running in started(build_test_app(settings)):
        yield running


@pytest_asyncio.fixture
async def stripe_client(stripe_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stripe_app), base_url="http://store.test") as c:
        yield c


def stripe_settings(db_url: str, fake: StripeFake) -> dict[str, Any]:
    return {"STRIPE_SECRET_KEY": "sk_test_fake", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_PUBLISHABLE_KEY": "pk_test_fake", "STRIPE_API_BASE": fake.url, "STRIPE_TIMEOUT_SECONDS": 1,
            "STRIPE_MAX_RETRIES": 2}


@pytest_asyncio.fixture(params=["simulated", "stripe"])
async def either_provider(
    request: pytest.FixtureRequest, db_url: str, stripe_fake: StripeFake
) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """A client of the store on each payment provider in turn."""
    extra = stripe_settings(db_url, stripe_fake) if request.param == "stripe" else {}
    async for running in started(build_test_app(make_settings(db_url, **extra))):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=running), base_url="http://store.test") as c:
            yield request.param, c
