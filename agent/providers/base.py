"""The provider protocol every model backend implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from common.llm import LLMRequest, LLMResponse


@dataclass(frozen=True)
class TextDelta:
    text: str


StreamEvent = TextDelta | LLMResponse  # deltas, then exactly one final response


class LLMProvider(Protocol):
    name: str  # claude | ollama | offline
    model: str
    paid: bool  # skipped once the spend budget is used up

    async def complete(self, request: LLMRequest, *, timeout: float) -> LLMResponse: ...

    def stream(self, request: LLMRequest, *, timeout: float) -> AsyncIterator[StreamEvent]: ...
