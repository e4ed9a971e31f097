"""The assistant's answer streams while the model writes it: each sentence leaves as soon as it is
complete and grounded, text the model wrote before calling tools is withdrawn, and a provider that
breaks off mid-answer is replaced without its half answer surviving."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from db.pool import Conn
from tests.fakes import anthropic_server as claude_fake
from tests.fix_app import make_settings
from tests.live_server import LiveServer

pytestmark = pytest.mark.integration


@pytest.fixture
def claude() -> Iterator[claude_fake.AnthropicFake]:
    with claude_fake.running_anthropic_fake() as fake:
        yield fake


@pytest.fixture
def server(db_url: str, claude: claude_fake.AnthropicFake) -> Iterator[LiveServer]:
    # A real socket: an in-process ASGI client would only hand over the body once it is complete.
    live = LiveServer(make_settings(db_url, ANTHROPIC_API_KEY="test", ANTHROPIC_BASE_URL=claude.url)).start()
    yield live
    live.stop()


async def events(response: httpx.Response) -> Any:
    """(name, data) pairs of a server-sent event stream, as they arrive."""
    name = None
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: ") and name is not None:
            yield name, json.loads(line[6:])
            name = None


async def ask(server: LiveServer, message: str, on_event: Any = None) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client, client.stream(
            "POST", "/api/v1/chat", json={"message": message}, headers={"Accept": "text/event-stream"}) as r:
        assert r.status_code == 200
        async for event in events(r):
            seen.append(event)
            if on_event is not None:
                on_event(event)
    return seen


def answer_after_last_reset(seen: list[tuple[str, Any]]) -> str:
    names = [name for name, _ in seen]
    start = len(names) - names[::-1].index("reset") if "reset" in names else 0
    return "".join(data["text"] for name, data in seen[start:] if name == "delta")


async def test_sentences_reach_the_shopper_while_the_model_is_still_writing(
    server: LiveServer, claude: claude_fake.AnthropicFake, conn: Conn
) -> None:
    release = threading.Event()
    answer = claude_fake.Reply.text_reply(
        "The Prospex Turtle SRPE93K1 costs $450.00 and is a fine diver. "  # 11 pieces, then the fake waits
        "It is rated to 200 m.\nThe SKX999J1 at $199 is also nice. Enjoy your new watch!",
        hold_after=11, release=release)
    claude.script(claude_fake.Reply.tool_use("search_watches", {"query": "automatic diver"},
                                             text="Let me look that up. One moment."), answer)
    first_answer_delta: list[str] = []

    def on_event(event: tuple[str, Any]) -> None:
        name, data = event
        if name == "delta" and "SRPE93K1" in data["text"] and not first_answer_delta:
            first_answer_delta.append(data["text"])
            release.set()  # only now may the model "write" the rest

    seen = await ask(server, "an automatic diver?", on_event)

    assert answer.released is True, "the first sentence arrived while the model was still holding the rest"
    assert first_answer_delta == ["The Prospex Turtle SRPE93K1 costs $495.00 and is a fine diver. "], \
        "grounded (live price) before it left"
    names = [name for name, _ in seen]
    assert names[0] == "delta" and seen[0][1]["text"] == "Let me look that up. "
    assert names.count("reset") == 1, "the text before the tool call is withdrawn"
    assert names[-2:] == ["products", "done"]
    done = seen[-1][1]
    streamed = answer_after_last_reset(seen)
    assert streamed.strip() == done["answer"], "what streamed is exactly the stored answer"
    assert "SKX999J1" not in streamed, "a sentence naming an invented watch never left"
    assert "It is rated to 200 m.\n" in streamed, "line breaks survive"
    assert [p["reference"] for p in seen[-2][1]] == ["SRPE93K1"]
    cur = await conn.execute("SELECT content FROM chat_messages WHERE role = 'assistant'")
    assert [r["content"] for r in await cur.fetchall()] == [done["answer"]]


async def test_a_stream_that_breaks_off_is_withdrawn_and_answered_again(
    server: LiveServer, claude: claude_fake.AnthropicFake
) -> None:
    claude.script(claude_fake.Reply(fault="stream_error"),
                  claude_fake.Reply.text_reply("The SRPD55K1 is a good first automatic. It costs $295.00."))
    seen = await ask(server, "a first automatic?")
    done = seen[-1][1]
    assert done["provider"] == "claude"
    assert answer_after_last_reset(seen).strip() == done["answer"]
    assert "SRPD55K1" in done["answer"]


async def test_offline_answers_stream_too(db_url: str) -> None:
    live = LiveServer(make_settings(db_url)).start()
    try:
        seen = await ask(live, "a solar chronograph")
    finally:
        live.stop()
    names = [name for name, _ in seen]
    assert names.count("delta") > 1, "sentence by sentence, not one block"
    assert names[-2:] == ["products", "done"]
    assert seen[-1][1]["provider"] == "offline"
    assert answer_after_last_reset(seen).strip() == seen[-1][1]["answer"]
