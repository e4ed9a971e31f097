"""Decision log schemas, as the ops API shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


class FallbackPublic(BaseModel):
    provider: str
    reason: str


class SkippedPublic(BaseModel):
    subject: str
    reason: str


class DecisionPublic(BaseModel):
    id: uuid.UUID
    created_at: datetime
    finished_at: datetime | None
    agent: str
    trigger: str
    provider: str | None
    model: str | None
    prompt_name: str | None
    prompt_version: int | None
    outcome: str
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    cost_usd: Decimal | None
    latency_ms: int | None
    fallback_reason: str | None
    fallbacks: list[FallbackPublic] = []
    skipped: list[SkippedPublic] = []
    error: str | None
    # The run's OpenTelemetry trace and span (hex), when the process traced it.
    trace_id: str | None = None
    span_id: str | None = None


class CallPublic(BaseModel):
    created_at: datetime
    provider: str
    model: str
    attempt: int
    outcome: str
    error_kind: str | None
    error: str | None
    stop_reason: str | None
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    cost_usd: Decimal | None
    latency_ms: int


class DecisionDetail(DecisionPublic):
    tool_calls: list[dict[str, Any]]
    final_text: str | None
    metadata: dict[str, Any]
    calls: list[CallPublic]


class DecisionPage(BaseModel):
    items: list[DecisionPublic]
    total: int
    limit: int
    offset: int


class CostRow(BaseModel):
    model: str | None = None
    day: date | None = None
    agent: str | None = None
    provider: str | None = None
    outcome: str | None = None
    calls: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    cost_usd: Decimal
    unpriced_calls: int


class CostReport(BaseModel):
    by: list[str]
    days: int
    rows: list[CostRow]


class FallbackCount(BaseModel):
    """Runs of one agent that fell back from one provider for one reason (timeout, 429, circuit open, ...)."""

    agent: str
    provider: str
    reason: str
    runs: int
