"""Payment schemas and money conversion."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict


class PaymentStatus(StrEnum):
    requires_payment = "requires_payment"
    succeeded = "succeeded"
    failed = "failed"
    canceled = "canceled"


def to_cents(amount: Decimal) -> int:
    """Exact USD cents for a decimal amount; refuses fractions of a cent instead of rounding."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


@dataclass(frozen=True)
class Intent:
    """What a provider says about one PaymentIntent."""

    intent_id: str
    client_secret: str | None
    amount_cents: int
    currency: str
    status: str  # the provider's own status word, e.g. requires_payment_method, succeeded


@dataclass(frozen=True)
class ProviderRefund:
    """What a provider says about one refund: `pending`, `succeeded` or `failed` (Stripe's words)."""

    refund_id: str
    status: str
    failure_reason: str | None = None


class PaymentStart(BaseModel):
    """What the caller needs to collect the payment (Stripe Elements, or the simulated flow)."""

    model_config = ConfigDict(json_schema_extra={"example": {
        "order_id": 42, "provider": "simulated", "simulated": True, "intent_id": "pi_sim_42_1",
        "client_secret": "pi_sim_42_1_secret_simulated", "amount_cents": 29500, "currency": "usd",
        "status": "requires_payment", "publishable_key": None}})

    order_id: int
    provider: str
    simulated: bool
    intent_id: str
    client_secret: str | None
    amount_cents: int
    currency: str
    status: PaymentStatus
    publishable_key: str | None = None


class PaymentConfig(BaseModel):
    provider: str
    simulated: bool
    publishable_key: str | None


class SimulateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"outcome": "succeeded"}})

    outcome: Literal["succeeded", "failed"]


class WebhookAck(BaseModel):
    received: bool = True
    outcome: str
