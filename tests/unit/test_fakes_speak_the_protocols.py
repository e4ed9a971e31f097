"""The local Anthropic and Ollama fakes are understood by the REAL SDKs, over HTTP (no monkeypatching)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import ollama
import pytest

from tests.fakes.anthropic_server import AnthropicFake, running_anthropic_fake
from tests.fakes.anthropic_server import Reply as AReply
from tests.fakes.ollama_server import OllamaFake, running_ollama_fake
from tests.fakes.ollama_server import Reply as OReply

MODEL = "claude-fake-test-model"
TOOLS: list[Any] = [{
    "name": "search_catalog",
    "description": "Search the watch catalogue",
    "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    "cache_control": {"type": "ephemeral"},
}]
SYSTEM: list[Any] = [{"type": "text", "text": "You help Seiko customers.", "cache_control": {"type": "ephemeral"}}]


@pytest.fixture
def claude() -> Iterator[AnthropicFake]:
    with running_anthropic_fake(stall_seconds=1.5) as fake:
        yield fake


@pytest.fixture
def llama() -> Iterator[OllamaFake]:
    with running_ollama_fake(stall_seconds=1.5) as fake:
        yield fake


def client_for(fake: AnthropicFake, timeout: float = 5.0) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=fake.url, api_key="test-key", max_retries=0, timeout=timeout)


# --- Anthropic -------------------------------------------------------------------------------------------


async def test_anthropic_text_reply_with_cache_usage(claude: AnthropicFake) -> None:
    claude.script(AReply.text_reply("The SPB143 is in stock.", input_tokens=900, output_tokens=11,
                                    cache_write=800, cache_read=0))
    client = client_for(claude)
    message = await client.messages.create(model=MODEL, max_tokens=256, system=SYSTEM, tools=TOOLS,
                                           messages=[{"role": "user", "content": "Is the SPB143 in stock?"}])
    assert message.model == MODEL
    assert message.stop_reason == "end_turn"
    assert [b.type for b in message.content] == ["text"]
    assert message.content[0].type == "text" and message.content[0].text == "The SPB143 is in stock."
    assert message.usage.input_tokens == 900 and message.usage.output_tokens == 11
    assert message.usage.cache_creation_input_tokens == 800
    assert message.usage.cache_read_input_tokens == 0

    sent = claude.requests[-1]
    assert sent.api_key == "test-key"  # anthropic>=2 sends it as `Authorization: Bearer`, older as `x-api-key`
    assert "anthropic-version" in sent.headers
    assert sent.body["model"] == MODEL
    assert sent.body["tools"][0]["cache_control"] == {"type": "ephemeral"}
    assert sent.body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "stream" not in sent.body or sent.body["stream"] is False


async def test_anthropic_tool_use_round_trip(claude: AnthropicFake) -> None:
    claude.script(AReply.tool_use("search_catalog", {"query": "presage"}, text="Let me look.", cache_read=700),
                  AReply.text_reply("Two Presage models match."))
    client = client_for(claude)
    history: list[Any] = [{"role": "user", "content": "Any Presage watches?"}]
    first = await client.messages.create(model=MODEL, max_tokens=256, tools=TOOLS, messages=history)
    assert first.stop_reason == "tool_use"
    assert first.usage.cache_read_input_tokens == 700
    text, call = first.content
    assert text.type == "text" and text.text == "Let me look."
    assert call.type == "tool_use" and call.name == "search_catalog" and call.input == {"query": "presage"}
    assert call.id.startswith("toolu_")

    history += [{"role": "assistant", "content": [b.model_dump() for b in first.content]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": call.id, "content": "SRPB41, SPB167"}]}]
    second = await client.messages.create(model=MODEL, max_tokens=256, tools=TOOLS, messages=history)
    assert second.content[0].type == "text" and second.content[0].text == "Two Presage models match."
    result = claude.last_body["messages"][-1]["content"][0]
    assert result == {"type": "tool_result", "tool_use_id": call.id, "content": "SRPB41, SPB167"}


async def test_anthropic_empty_queue_answers_ok(claude: AnthropicFake) -> None:
    message = await client_for(claude).messages.create(model=MODEL, max_tokens=16,
                                                       messages=[{"role": "user", "content": "hi"}])
    assert message.content[0].type == "text" and message.content[0].text == "ok"


async def test_anthropic_stream_helper_assembles_text_and_tool_input(claude: AnthropicFake) -> None:
    arguments = {"query": "5 sports automatic", "filters": {"max_price": 450, "in_stock": True}}
    claude.script(AReply.tool_use("search_catalog", arguments, text="Searching the catalogue for you.",
                                  input_tokens=50, output_tokens=30, cache_write=10, cache_read=40))
    client = client_for(claude)
    deltas: list[str] = []
    event_types: list[str] = []
    async with client.messages.stream(model=MODEL, max_tokens=256, tools=TOOLS,
                                      messages=[{"role": "user", "content": "find me a Seiko 5"}]) as stream:
        async for event in stream:
            event_types.append(event.type)
            if event.type == "text":
                deltas.append(event.text)
        final = await stream.get_final_message()
    assert len(deltas) > 1 and "".join(deltas) == "Searching the catalogue for you."
    assert event_types[0] == "message_start" and event_types[-1] == "message_stop"
    assert "input_json" in event_types
    assert final.stop_reason == "tool_use"
    call = final.content[1]
    assert call.type == "tool_use" and call.name == "search_catalog" and call.input == arguments
    assert final.usage.output_tokens == 30 and final.usage.input_tokens == 50
    assert final.usage.cache_creation_input_tokens == 10 and final.usage.cache_read_input_tokens == 40
    assert claude.last_body["stream"] is True


async def test_anthropic_create_stream_true_raw_events(claude: AnthropicFake) -> None:
    claude.script(AReply.text_reply("Hello there", stop_reason="max_tokens"))
    stream = await client_for(claude).messages.create(model=MODEL, max_tokens=2, stream=True,
                                                      messages=[{"role": "user", "content": "hi"}])
    kinds: list[str] = []
    text = ""
    stop_reason = None
    async for event in stream:
        kinds.append(event.type)
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            text += event.delta.text
        if event.type == "message_delta":
            stop_reason = event.delta.stop_reason
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"]
    assert text == "Hello there" and stop_reason == "max_tokens"


async def test_anthropic_error_event_mid_stream_raises(claude: AnthropicFake) -> None:
    claude.script(AReply.fault("stream_error"))
    with pytest.raises(anthropic.APIStatusError):
        async with client_for(claude).messages.stream(model=MODEL, max_tokens=16,
                                                      messages=[{"role": "user", "content": "hi"}]) as stream:
            await stream.get_final_message()


async def test_anthropic_529_is_overloaded(claude: AnthropicFake) -> None:
    claude.script(AReply.fault("529"))
    with pytest.raises(anthropic.InternalServerError) as caught:
        await client_for(claude).messages.create(model=MODEL, max_tokens=16,
                                                 messages=[{"role": "user", "content": "hi"}])
    assert isinstance(caught.value, anthropic.APIStatusError)
    assert caught.value.status_code == 529
    assert isinstance(caught.value.body, dict) and caught.value.body["error"]["type"] == "overloaded_error"


async def test_anthropic_500_is_api_error(claude: AnthropicFake) -> None:
    claude.script(AReply.fault("500"))
    with pytest.raises(anthropic.InternalServerError) as caught:
        await client_for(claude).messages.create(model=MODEL, max_tokens=16,
                                                 messages=[{"role": "user", "content": "hi"}])
    assert caught.value.status_code == 500


async def test_anthropic_429_is_rate_limit_with_retry_after(claude: AnthropicFake) -> None:
    claude.script(AReply.fault("429", retry_after=7))
    with pytest.raises(anthropic.RateLimitError) as caught:
        await client_for(claude).messages.create(model=MODEL, max_tokens=16,
                                                 messages=[{"role": "user", "content": "hi"}])
    assert caught.value.status_code == 429
    assert caught.value.response.headers["retry-after"] == "7"
    assert isinstance(caught.value.body, dict) and caught.value.body["error"]["type"] == "rate_limit_error"


async def test_anthropic_stall_is_a_client_timeout(claude: AnthropicFake) -> None:
    claude.script(AReply.fault("timeout"), AReply.text_reply("recovered"))
    client = client_for(claude, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(anthropic.APITimeoutError):
        await client.messages.create(model=MODEL, max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    assert time.monotonic() - started < 1.4
    message = await client.messages.create(model=MODEL, max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    assert message.content[0].type == "text" and message.content[0].text == "recovered"


async def test_anthropic_missing_api_key_is_refused(claude: AnthropicFake) -> None:
    async with httpx.AsyncClient(base_url=claude.url) as http:
        answer = await http.post("/v1/messages", json={"model": MODEL, "max_tokens": 16, "messages": []})
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "authentication_error"
    assert claude.requests[-1].api_key is None


def test_anthropic_reply_fault_is_validated() -> None:
    assert AReply.fault("529").fault == "529"
    assert AReply.text_reply("x").fault is None
    with pytest.raises(ValueError, match="unknown fault"):
        AReply.fault("418")


# --- Ollama ----------------------------------------------------------------------------------------------


async def test_ollama_non_streaming_tool_calls_and_counts(llama: OllamaFake) -> None:
    llama.script(OReply.tool_use("search_catalog", {"query": "diver", "limit": 3},
                                 prompt_eval_count=120, eval_count=17))
    client = ollama.AsyncClient(host=llama.url)
    tools = [{"type": "function", "function": {
        "name": "search_catalog", "description": "Search the watch catalogue",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}]
    response = await client.chat(model="llama3.2:3b", messages=[{"role": "user", "content": "divers?"}],
                                 tools=tools, stream=False)
    assert response.done is True and response.done_reason == "stop"
    assert response.model == "llama3.2:3b"
    assert response.prompt_eval_count == 120 and response.eval_count == 17
    assert response.total_duration and response.eval_duration
    calls = response.message.tool_calls
    assert calls is not None and len(calls) == 1
    assert calls[0].function.name == "search_catalog"
    assert dict(calls[0].function.arguments) == {"query": "diver", "limit": 3}
    assert llama.last_body["stream"] is False
    assert llama.last_body["tools"][0]["function"]["name"] == "search_catalog"


async def test_ollama_streaming_chunks(llama: OllamaFake) -> None:
    llama.script(OReply.text_reply("The Alpinist has a green dial.", eval_count=8))
    client = ollama.AsyncClient(host=llama.url)
    parts = []
    async for chunk in await client.chat(model="llama3.2:3b", messages=[{"role": "user", "content": "alpinist?"}],
                                         stream=True):
        parts.append(chunk)
    assert len(parts) > 2
    assert all(p.done is False for p in parts[:-1]) and parts[-1].done is True
    assert "".join(p.message.content or "" for p in parts) == "The Alpinist has a green dial."
    assert parts[-1].eval_count == 8 and parts[-1].prompt_eval_count == 26


async def test_ollama_streaming_tool_calls(llama: OllamaFake) -> None:
    llama.script(OReply.tool_use("lookup_order", {"order_id": 42}))
    client = ollama.AsyncClient(host=llama.url)
    calls = []
    async for chunk in await client.chat(model="llama3.2:3b", messages=[{"role": "user", "content": "order 42"}],
                                         stream=True):
        calls += list(chunk.message.tool_calls or [])
    assert [(c.function.name, dict(c.function.arguments)) for c in calls] == [("lookup_order", {"order_id": 42})]


async def test_ollama_500_and_404_are_response_errors(llama: OllamaFake) -> None:
    llama.script(OReply.fault("500"), OReply.fault("404"), OReply.fault("500"))
    client = ollama.AsyncClient(host=llama.url)
    messages = [{"role": "user", "content": "hi"}]
    with pytest.raises(ollama.ResponseError) as caught:
        await client.chat(model="llama3.2:3b", messages=messages, stream=False)
    assert caught.value.status_code == 500
    with pytest.raises(ollama.ResponseError) as caught:
        await client.chat(model="qwen9:1b", messages=messages, stream=False)
    assert caught.value.status_code == 404 and caught.value.error == "model 'qwen9:1b' not found"
    with pytest.raises(ollama.ResponseError) as caught:
        async for _ in await client.chat(model="llama3.2:3b", messages=messages, stream=True):
            pass
    assert caught.value.status_code == 500


async def test_ollama_stall_is_a_client_timeout(llama: OllamaFake) -> None:
    llama.script(OReply.fault("timeout"))
    client = ollama.AsyncClient(host=llama.url, timeout=0.5)
    with pytest.raises(httpx.TimeoutException):
        await client.chat(model="llama3.2:3b", messages=[{"role": "user", "content": "hi"}], stream=False)


async def test_ollama_tags_and_version(llama: OllamaFake) -> None:
    client = ollama.AsyncClient(host=llama.url)
    listed = await client.list()
    assert [m.model for m in listed.models] == ["llama3.2:3b"]
    async with httpx.AsyncClient(base_url=llama.url) as http:
        assert (await http.get("/api/version")).json() == {"version": llama.version}
