"""What an A/B eval produces: one result per case x variant x provider x repetition."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    variant: str  # the prompt variant, e.g. "stock_agent_system@2" or a label such as "candidate"
    provider: str  # claude | ollama | offline
    repetition: int
    score: float  # 0..1, the mean of the scorers' scores
    passed: bool  # every scorer passed
    explanations: tuple[str, ...]
    cost_usd: Decimal | None
    latency_ms: int
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    suite: str  # stock | shopper
    created_at: datetime
    baseline: str  # variant names
    candidate: str
    repetitions: int
    providers: tuple[str, ...] = field(default_factory=tuple)
