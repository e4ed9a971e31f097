"""Per-run caps and budgets, each ending the run with a typed error that is still recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class RunLimits:
    max_tool_rounds: int = 8
    max_total_tokens: int = 60_000
    max_wall_s: float = 60.0
    call_timeout_s: float = 30.0  # one provider attempt
    max_attempts: int = 3  # per provider, for retryable errors


@dataclass(frozen=True)
class Budgets:
    """Daily USD caps on paid providers, overall and per agent; None means no cap."""

    daily_total_usd: Decimal | None = None
    daily_per_agent_usd: dict[str, Decimal] = field(default_factory=dict)


class RunLimitExceeded(Exception):
    outcome = "limit"


class StepLimitExceeded(RunLimitExceeded):
    outcome = "step_limit"


class TokenLimitExceeded(RunLimitExceeded):
    outcome = "token_limit"


class DeadlineExceeded(RunLimitExceeded):
    outcome = "deadline"
