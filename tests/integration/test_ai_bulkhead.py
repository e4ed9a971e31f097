"""The AI never takes the store down: while model calls hang, no connection is held for them, the
catalog keeps answering, a full house is refused at once (503 + Retry-After), and a streaming chat
keeps its connection alive with heartbeats. The same holds for the store's other network peer, Stripe."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from db.pool import Pool
from tests.fakes import anthropic_server as claude_fake
from tests.fakes.stripe_server import running_stripe_fake
from tests.fix_app import Users, build_test_app, make_settings, started
from tests.fix_stripe import stripe_settings

pytestmark = pytest.mark.integration
CHATS = 12


def checked_out(pool: Pool) -> int:
    stats = pool.get_stats()
    return int(stats["pool_size"]) - int(stats["pool_available"])


async def until(condition: Any, what: str) -> None:
    """Wait for something the test caused to happen (a wait, not a timing assertion)."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
def stalled_claude() -> Iterator[claude_fake.AnthropicFake]:
    with claude_fake.running_anthropic_fake() as fake:
        fake.gate = threading.Event()
        try:
            yield fake
        finally:
            fake.gate.set()


@pytest_asyncio.fixture
async def slow_store(db_url: str, stalled_claude: claude_fake.AnthropicFake) -> AsyncIterator[FastAPI]:
    # A store pool smaller than the crowd of chats: on the old design every waiting chat held one.
    settings = make_settings(db_url, ANTHROPIC_API_KEY="test", ANTHROPIC_BASE_URL=stalled_claude.url,
                             SEIKO_DB_POOL_MIN=1, SEIKO_DB_POOL_MAX=4, SEIKO_AI_DB_POOL_MAX=2,
                             SEIKO_AI_MAX_IN_FLIGHT=CHATS, SEIKO_SSE_HEARTBEAT_S=0.05, SEIKO_LLM_CALL_TIMEOUT_S=30)
    async for app in started(build_test_app(settings)):
        yield app


async def test_no_connection_waits_on_a_model_and_the_catalog_keeps_answering(
    slow_store: FastAPI, stalled_claude: claude_fake.AnthropicFake
) -> None:
    assert stalled_claude.gate is not None
    transport = httpx.ASGITransport(app=slow_store)
    async with httpx.AsyncClient(transport=transport, base_url="http://store.test", timeout=60) as client:
        chats = [asyncio.create_task(client.post("/api/v1/chat", json={"message": f"a dive watch, please ({i})"}))
                 for i in range(CHATS)]
        await until(lambda: len(stalled_claude.arrivals) >= CHATS, "every chat reached the model")
        # Every chat is now inside a model call that does not return.
        assert checked_out(slow_store.state.pool) == 0, "no store connection waits on a model"
        assert checked_out(slow_store.state.agents.pool) == 0, "no AI connection waits on a model either"
        pages = await asyncio.gather(*(client.get("/api/v1/watches", params={"limit": 5}) for _ in range(8)))
        assert [p.status_code for p in pages] == [200] * 8
        stalled_claude.gate.set()
        answers = await asyncio.gather(*chats)
    assert [a.status_code for a in answers] == [200] * CHATS
    assert {a.json()["provider"] for a in answers} == {"claude"}


async def test_a_full_house_is_refused_at_once_with_retry_after(
    slow_store: FastAPI, stalled_claude: claude_fake.AnthropicFake
) -> None:
    assert stalled_claude.gate is not None
    transport = httpx.ASGITransport(app=slow_store)
    async with httpx.AsyncClient(transport=transport, base_url="http://store.test", timeout=60) as client:
        chats = [asyncio.create_task(client.post("/api/v1/chat", json={"message": f"question {i}"}))
                 for i in range(CHATS)]
        await until(lambda: len(stalled_claude.arrivals) >= CHATS, "the house is full")
        refused = await client.post("/api/v1/chat", json={"message": "one more"})
        assert refused.status_code == 503
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "assistant_busy"
        assert int(refused.headers["retry-after"]) >= 1
        stalled_claude.gate.set()
        assert [a.status_code for a in await asyncio.gather(*chats)] == [200] * CHATS
        after = await client.post("/api/v1/chat", json={"message": "and now?"})
    assert after.status_code == 200, "slots come back when the turns end"
    assert slow_store.state.agents.capacity.in_flight == 0


async def test_a_streaming_chat_sends_heartbeats_while_the_model_thinks(
    slow_store: FastAPI, stalled_claude: claude_fake.AnthropicFake
) -> None:
    assert stalled_claude.gate is not None
    transport = httpx.ASGITransport(app=slow_store)
    async with httpx.AsyncClient(transport=transport, base_url="http://store.test", timeout=60) as client:
        streaming = asyncio.create_task(client.post("/api/v1/chat", json={"message": "a field watch"},
                                                    headers={"Accept": "text/event-stream"}))
        await until(lambda: len(stalled_claude.arrivals) >= 1, "the model was asked")
        await asyncio.sleep(0.3)  # several heartbeat periods (0.05 s) pass while the model is stalled
        stalled_claude.gate.set()
        body = (await streaming).text
    assert body.count(": keep-alive\n\n") >= 2
    assert "event: done" in body


async def test_no_connection_is_held_while_stripe_answers(db_url: str) -> None:
    with running_stripe_fake() as stripe:
        stripe.gate = threading.Event()
        settings = make_settings(db_url, **{**stripe_settings(db_url, stripe), "STRIPE_TIMEOUT_SECONDS": 30},
                                 SEIKO_DB_POOL_MIN=1, SEIKO_DB_POOL_MAX=4)
        try:
            async for app in started(build_test_app(settings)):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://store.test", timeout=60) as client:
                    headers = await Users(client).customer()
                    orders = []
                    for _ in range(5):  # a customer's cap on unpaid orders
                        r = await client.post("/api/v1/orders", json={"items": [{"reference": "SRPD55K1",
                                                                                 "quantity": 1}]}, headers=headers)
                        assert r.status_code == 201, r.text
                        orders.append(r.json()["id"])
                    paying = [asyncio.create_task(client.post(f"/api/v1/orders/{o}/payment", headers=headers))
                              for o in orders]
                    await until(lambda: len(stripe.creates()) >= 5, "every payment reached Stripe")
                    assert checked_out(app.state.pool) == 0, "no connection waits on Stripe"
                    assert (await client.get("/api/v1/watches", params={"limit": 3})).status_code == 200
                    stripe.gate.set()
                    assert [p.status_code for p in await asyncio.gather(*paying)] == [201] * len(orders)
        finally:
            stripe.gate.set()
