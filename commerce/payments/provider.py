"""The payments-provider protocol, and the simulated provider used while Stripe is not configured."""

from __future__ import annotations

import hashlib
from typing import Protocol

from commerce.payments.models import Intent, ProviderRefund


class ProviderUnavailable(Exception):
    """The provider could not be reached or failed; nothing was charged that we know of."""


class PaymentProvider(Protocol):
    name: str
    simulated: bool
    publishable_key: str | None

    async def create_intent(
        self, *, amount_cents: int, currency: str, order_id: int, idempotency_key: str
    ) -> Intent: ...

    async def retrieve_intent(self, intent_id: str) -> Intent: ...

    async def cancel_intent(self, intent_id: str) -> None: ...

    async def create_refund(
        self, *, intent_id: str, amount_cents: int, refund_id: int, idempotency_key: str
    ) -> ProviderRefund:
        """Refund a succeeded intent; the same key never refunds twice."""
        ...


class SimulatedProvider:
    """No money moves. Intents are named after the order and attempt, so a retry finds the same one;
    outcomes are driven through POST /api/v1/orders/{id}/payment/simulate. Refunds succeed at once."""

    name = "simulated"
    simulated = True
    publishable_key: str | None = None

    async def create_intent(
        self, *, amount_cents: int, currency: str, order_id: int, idempotency_key: str
    ) -> Intent:
        # The same key always names the same intent, as Stripe's idempotency does.
        intent_id = "pi_sim_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]
        return Intent(intent_id=intent_id, client_secret=f"{intent_id}_secret_simulated",
                      amount_cents=amount_cents, currency=currency, status="requires_payment_method")

    async def retrieve_intent(self, intent_id: str) -> Intent:
        # The database is the simulated provider's only memory; callers use it for the status.
        return Intent(intent_id=intent_id, client_secret=f"{intent_id}_secret_simulated", amount_cents=0,
                      currency="usd", status="unknown")

    async def cancel_intent(self, intent_id: str) -> None:
        return None

    async def create_refund(
        self, *, intent_id: str, amount_cents: int, refund_id: int, idempotency_key: str
    ) -> ProviderRefund:
        # No money moved, so the refund of it succeeds at once; named after the key like the intents.
        return ProviderRefund(refund_id="re_sim_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20],
                              status="succeeded")
