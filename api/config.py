"""What the HTTP layer needs to know, handed over by the composition root (api never reads env)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from commerce.orders.checkout import CheckoutRates
from commerce.orders.models import OrderLimits
from commerce.replenishment.models import ReorderPolicy


@dataclass(frozen=True)
class ApiConfig:
    jwt_secret: str
    access_token_ttl: timedelta = timedelta(minutes=60)
    cors_origins: list[str] = field(default_factory=list)
    rate_limit_default: str = "300/minute"
    rate_limit_auth: str = "10/minute"
    rate_limit_chat: str = "30/minute"
    max_body_bytes: int = 64 * 1024
    environment: str = "development"
    stripe_webhook_secret: str | None = None
    alert_token: str | None = None
    order_limits: OrderLimits = field(default_factory=OrderLimits)
    checkout_rates: CheckoutRates = field(default_factory=CheckoutRates)
    currency_rates: dict[str, Decimal] = field(default_factory=dict)  # USD per unit, for search
    db_acquire_timeout_s: float = 1.5
    # The AI bulkhead as the API shows it: how long a refused chat is told to wait, and how often a
    # streaming chat sends a keep-alive while the model thinks.
    ai_retry_after_s: int = field(kw_only=True)
    # Decisions on reorder proposals re-judge earned autonomy against the same policy the agent uses.
    reorder_policy: ReorderPolicy = field(kw_only=True)
    sse_heartbeat_s: float = field(kw_only=True)
    # The trace viewer (Jaeger's UI) the ops console links a decision's trace to: {url}/trace/{trace_id}.
    jaeger_url: str | None = field(default=None, kw_only=True)

    def trace_url(self, trace_id: str | None) -> str | None:
        if not self.jaeger_url or not trace_id:
            return None
        return f"{self.jaeger_url.rstrip('/')}/trace/{trace_id}"
