"""What the HTTP layer needs to know, handed over by the composition root (api never reads env)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from commerce.orders.checkout import CheckoutRates
from commerce.orders.models import OrderLimits


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
