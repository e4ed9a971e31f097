"""Claude through the official `anthropic` SDK: tool use, streaming, prompt caching."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anthropic

from agent.providers.base import StreamEvent, TextDelta
from common.llm import ErrorKind, LLMRequest, LLMResponse, Message, ProviderError, ToolCall, Usage

EPHEMERAL = {"type": "ephemeral"}


class ClaudeProvider:
    name = "claude"
    paid = True

    def __init__(self, *, api_key: str, model: str, base_url: str | None = None) -> None:
        self.model = model
        # Retries are the gateway's job (it records each attempt and honours the deadline).
        self._client = anthropic.AsyncAnthropic(api_key=api_key, base_url=base_url, max_retries=0)

    def params(self, request: LLMRequest) -> dict[str, Any]:
        """The Messages API request. The stable prefix (tools, then system) carries cache_control so
        repeated runs read it from the prompt cache instead of paying for it again."""
        tools = [{"name": t.name, "description": t.description, "input_schema": t.input_schema}
                 for t in request.tools]
        if tools:
            tools[-1] = {**tools[-1], "cache_control": EPHEMERAL}
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,  # (sampling temperature is not a Messages API parameter any more)
            "system": [{"type": "text", "text": request.system, "cache_control": EPHEMERAL}],
            "messages": [_message(m) for m in request.messages],
        }
        if tools:
            params["tools"] = tools
        return params

    async def complete(self, request: LLMRequest, *, timeout: float) -> LLMResponse:
        try:
            message = await self._client.messages.create(**self.params(request), timeout=timeout)
        except anthropic.APIError as exc:
            raise _error(exc) from exc
        return _response(self.model, message)

    async def stream(self, request: LLMRequest, *, timeout: float) -> AsyncIterator[StreamEvent]:
        try:
            async with self._client.messages.stream(**self.params(request), timeout=timeout) as stream:
                async for text in stream.text_stream:
                    yield TextDelta(text)
                message = await stream.get_final_message()
        except anthropic.APIError as exc:
            raise _error(exc) from exc
        yield _response(self.model, message)


def _message(m: Message) -> dict[str, Any]:
    if m.tool_results:
        return {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call_id, "content": content, "is_error": is_error}
            for call_id, content, is_error in m.tool_results]}
    if m.role == "assistant" and m.tool_calls:
        blocks: list[dict[str, Any]] = [{"type": "text", "text": m.text}] if m.text else []
        blocks += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in m.tool_calls]
        return {"role": "assistant", "content": blocks}
    return {"role": m.role, "content": m.text}


def _response(model: str, message: Any) -> LLMResponse:
    text = "".join(b.text for b in message.content if b.type == "text")
    calls = tuple(ToolCall(b.id, b.name, dict(b.input)) for b in message.content if b.type == "tool_use")
    u = message.usage
    usage = Usage(input_tokens=u.input_tokens, output_tokens=u.output_tokens,
                  cache_write_tokens=u.cache_creation_input_tokens or 0,
                  cache_read_tokens=u.cache_read_input_tokens or 0)
    return LLMResponse(provider="claude", model=message.model or model, text=text, tool_calls=calls, usage=usage,
                       stop_reason=message.stop_reason or "end_turn")


def _error(exc: anthropic.APIError) -> ProviderError:
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderError(ErrorKind.timeout, str(exc))
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderError(ErrorKind.connection, str(exc))
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        retry_after = _retry_after(exc.response.headers.get("retry-after"))
        if status < 400:
            # An `error` event inside a stream that began with 200: the kind is in the event's body.
            status = _STREAM_ERROR_STATUS.get(_error_type(exc.body) or "", 500)
        if status == 429:
            return ProviderError(ErrorKind.rate_limited, exc.message, retry_after, status)
        if status == 529:
            return ProviderError(ErrorKind.overloaded, exc.message, retry_after, status)
        if status >= 500:
            return ProviderError(ErrorKind.server_error, exc.message, retry_after, status)
        if status in (401, 403):
            return ProviderError(ErrorKind.auth, exc.message, None, status)
        return ProviderError(ErrorKind.bad_request, exc.message, None, status)
    return ProviderError(ErrorKind.server_error, str(exc))


# Anthropic's error types and the HTTP status each stands for when it arrives mid-stream.
_STREAM_ERROR_STATUS = {"rate_limit_error": 429, "overloaded_error": 529, "api_error": 500,
                        "invalid_request_error": 400, "authentication_error": 401, "permission_error": 403}


def _error_type(body: object) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    kind = error.get("type") if isinstance(error, dict) else None
    return kind if isinstance(kind, str) else None


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
