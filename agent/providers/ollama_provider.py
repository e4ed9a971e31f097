"""Local models through the official `ollama` SDK: tool calling, streaming, token counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import ollama

from agent.providers.base import StreamEvent, TextDelta
from common.llm import ErrorKind, LLMRequest, LLMResponse, Message, ProviderError, ToolCall, Usage


class OllamaProvider:
    name = "ollama"
    paid = False

    def __init__(self, *, host: str, model: str) -> None:
        self.model = model
        self.host = host

    def _client(self, timeout: float) -> ollama.AsyncClient:
        return ollama.AsyncClient(host=self.host, timeout=timeout)

    def params(self, request: LLMRequest) -> dict[str, Any]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": request.system}]
        for m in request.messages:
            messages.extend(_messages(m))
        params: dict[str, Any] = {"model": self.model, "messages": messages,
                                  "options": {"temperature": request.temperature, "num_predict": request.max_tokens}}
        if request.tools:
            params["tools"] = [{"type": "function", "function": {"name": t.name, "description": t.description,
                                                                 "parameters": t.input_schema}} for t in request.tools]
        return params

    async def complete(self, request: LLMRequest, *, timeout: float) -> LLMResponse:
        try:
            reply = await self._client(timeout).chat(**self.params(request), stream=False)
        except (ollama.ResponseError, httpx.HTTPError, ConnectionError) as exc:
            raise _error(exc) from exc
        return self._response(reply, reply.message.content or "")

    async def stream(self, request: LLMRequest, *, timeout: float) -> AsyncIterator[StreamEvent]:
        text: list[str] = []
        last: Any = None
        calls: list[Any] = []
        try:
            async for chunk in await self._client(timeout).chat(**self.params(request), stream=True):
                if chunk.message.content:
                    text.append(chunk.message.content)
                    yield TextDelta(chunk.message.content)
                calls.extend(chunk.message.tool_calls or [])
                last = chunk
        except (ollama.ResponseError, httpx.HTTPError, ConnectionError) as exc:
            raise _error(exc) from exc
        if last is None:
            raise ProviderError(ErrorKind.server_error, "empty stream from Ollama")
        yield self._response(last, "".join(text), calls)

    def _response(self, reply: Any, text: str, calls: list[Any] | None = None) -> LLMResponse:
        tool_calls = calls if calls is not None else list(reply.message.tool_calls or [])
        return LLMResponse(
            provider="ollama", model=reply.model or self.model, text=text,
            tool_calls=tuple(ToolCall(f"ollama_call_{i}", c.function.name, dict(c.function.arguments or {}))
                             for i, c in enumerate(tool_calls)),
            usage=Usage(input_tokens=reply.prompt_eval_count or 0, output_tokens=reply.eval_count or 0),
            stop_reason="tool_use" if tool_calls else (reply.done_reason or "stop"),
        )


def _messages(m: Message) -> list[dict[str, Any]]:
    if m.tool_results:
        return [{"role": "tool", "content": content} for _, content, _ in m.tool_results]
    if m.role == "assistant" and m.tool_calls:
        return [{"role": "assistant", "content": m.text,
                 "tool_calls": [{"function": {"name": c.name, "arguments": c.arguments}} for c in m.tool_calls]}]
    return [{"role": m.role, "content": m.text}]


def _error(exc: Exception) -> ProviderError:
    if isinstance(exc, httpx.TimeoutException):
        return ProviderError(ErrorKind.timeout, str(exc))
    if isinstance(exc, ollama.ResponseError):
        status = exc.status_code
        if status == 429:
            return ProviderError(ErrorKind.rate_limited, exc.error, None, status)
        if status >= 500:
            return ProviderError(ErrorKind.server_error, exc.error, None, status)
        return ProviderError(ErrorKind.bad_request, exc.error, None, status)
    return ProviderError(ErrorKind.connection, str(exc))
