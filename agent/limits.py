"""Per-run caps and budgets, each ending the run with a typed error that is still recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class RunLimits:
    """A run's caps. No defaults here: the settings are their one source (app/settings.py)."""

    max_tool_rounds: int
    max_total_tokens: int
    max_wall_s: float
    call_timeout_s: float  # one provider attempt
    max_attempts: int  # per provider, for retryable errors


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
