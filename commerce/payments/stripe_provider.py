"""Stripe PaymentIntents through the official SDK (async, over httpx)."""

from __future__ import annotations

from typing import Any

import stripe

from commerce.payments.models import Intent, ProviderRefund
from commerce.payments.provider import ProviderUnavailable


class StripeProvider:
    name = "stripe"
    simulated = False

    def __init__(
        self, *, secret_key: str, publishable_key: str | None = None, api_base: str | None = None,
        timeout_seconds: float = 10.0, max_retries: int = 2,
    ) -> None:
        self.publishable_key = publishable_key
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            # The SDK retries connection errors, 409/429/5xx, and reuses the idempotency key.
            max_network_retries=max_retries,
            http_client=stripe.HTTPXClient(timeout=timeout_seconds),
        )

    async def create_intent(
        self, *, amount_cents: int, currency: str, order_id: int, idempotency_key: str
    ) -> Intent:
        params: dict[str, Any] = {
            "amount": amount_cents,
            "currency": currency,
            "automatic_payment_methods": {"enabled": True},
            "metadata": {"order_id": str(order_id)},
            "description": f"Seiko Watch Store order {order_id}",
        }
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise ProviderUnavailable(str(exc)) from exc
        return _intent(intent)

    async def retrieve_intent(self, intent_id: str) -> Intent:
        try:
            return _intent(await self._client.v1.payment_intents.retrieve_async(intent_id))
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise ProviderUnavailable(str(exc)) from exc

    async def cancel_intent(self, intent_id: str) -> None:
        try:
            await self._client.v1.payment_intents.cancel_async(intent_id)
        except stripe.InvalidRequestError:
            pass  # already succeeded or canceled: nothing to cancel
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise ProviderUnavailable(str(exc)) from exc


    async def create_refund(
        self, *, intent_id: str, amount_cents: int, refund_id: int, idempotency_key: str
    ) -> ProviderRefund:
        params: dict[str, Any] = {"payment_intent": intent_id, "amount": amount_cents,
                                  "metadata": {"seiko_refund_id": str(refund_id)}}
        try:
            refund = await self._client.v1.refunds.create_async(
                params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as exc:
            # Stripe refused it (already refunded, disputed, ...): a final answer, not an outage.
            return ProviderRefund(refund_id="", status="failed", failure_reason=exc.user_message or str(exc))
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise ProviderUnavailable(str(exc)) from exc
        return ProviderRefund(refund_id=refund.id, status=str(refund.status),
                              failure_reason=getattr(refund, "failure_reason", None))


def _intent(obj: Any) -> Intent:
    return Intent(intent_id=obj.id, client_secret=obj.client_secret, amount_cents=int(obj.amount),
                  currency=obj.currency, status=obj.status)


def verify_webhook(payload: bytes, signature: str | None, secret: str, tolerance: int = 300) -> Any:
    """The SDK's own verification of `Stripe-Signature` over the raw body; returns the event."""
    return stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance)
