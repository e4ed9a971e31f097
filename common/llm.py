"""The LLM wire types every provider, tool and record shares: messages, tools, tool calls, usage,
stop reason, and the provider error. A leaf module: tools/ and decision_log/ use these without
importing agent/."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Message:
    """A turn. `tool_results` carries (tool_call_id, content, is_error) back to the model."""

    role: Literal["user", "assistant"]
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_results: tuple[tuple[str, str, bool], ...] = ()


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens,
                     self.cache_write_tokens + other.cache_write_tokens,
                     self.cache_read_tokens + other.cache_read_tokens)

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_write_tokens + self.cache_read_tokens


@dataclass(frozen=True)
class LLMRequest:
    system: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    max_tokens: int = 1024
    temperature: float = 0.2


@dataclass(frozen=True)
class LLMResponse:
    provider: str
    model: str
    text: str
    tool_calls: tuple[ToolCall, ...]
    usage: Usage
    stop_reason: str


class ErrorKind(StrEnum):
    rate_limited = "rate_limited"  # 429
    overloaded = "overloaded"  # 529
    server_error = "server_error"  # 5xx
    timeout = "timeout"
    connection = "connection"
    bad_request = "bad_request"  # 4xx that retrying cannot fix
    auth = "auth"


RETRYABLE = frozenset({ErrorKind.rate_limited, ErrorKind.overloaded, ErrorKind.server_error, ErrorKind.timeout,
                       ErrorKind.connection})


@dataclass
class ProviderError(Exception):
    """A provider call failed; `kind` decides whether a retry or a fallback makes sense."""

    kind: ErrorKind
    message: str
    retry_after: float | None = None
    status: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


class TextSink(Protocol):
    """Receives an answer while the model writes it (the shopper assistant streams through this)."""

    async def text(self, delta: str) -> None: ...

    async def discard(self) -> None:
        """Everything received since the last discard is void: the attempt failed mid-answer (another
        attempt or provider follows), or the turn ended in tool calls rather than the answer."""
