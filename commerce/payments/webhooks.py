"""Stripe webhooks: verify the signature on the raw body, then apply the event exactly once."""

from __future__ import annotations

from typing import Any

import stripe

from commerce.errors import InvalidSignature
from commerce.payments import refunds, service
from commerce.payments.provider import PaymentProvider, ProviderUnavailable
from commerce.payments.stripe_provider import verify_webhook
from db.pool import Conn

TOLERANCE_SECONDS = 300


async def handle_stripe_event(
    conn: Conn, *, provider: PaymentProvider, payload: bytes, signature: str | None, secret: str
) -> service.Outcome:
    try:
        event = verify_webhook(payload, signature, secret, tolerance=TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature("The Stripe-Signature header does not match this body and secret") from exc
    except ValueError as exc:
        raise InvalidSignature("The webhook body is not a Stripe event") from exc
    data: dict[str, Any] = event.to_dict()
    event_type: str = data["type"]
    obj: dict[str, Any] = data["data"]["object"]
    if event_type in refunds.REFUND_EVENTS and obj.get("id"):
        return await _refund_event(conn, data["id"], event_type, obj)
    intent_id = obj.get("id") if event_type.startswith("payment_intent.") else None
    failure = (obj.get("last_payment_error") or {}).get("message") if event_type == service.FAILED else None
    if event_type == service.FAILED and intent_id:
        event_type = await _reread_failure(provider, intent_id)
    return await service.apply_outcome(conn, event_id=data["id"], source="stripe", event_type=event_type,
                                       intent_id=intent_id, failure_reason=failure)


async def _reread_failure(provider: PaymentProvider, intent_id: str) -> str:
    """Events arrive out of order: a failure may be older than a success we have not seen yet.
    Stripe's current view of the intent decides."""
    try:
        current = await provider.retrieve_intent(intent_id)
    except ProviderUnavailable:
        return service.FAILED  # the state machine still never lets a failure un-pay an order
    return service.SUCCEEDED if current.status == "succeeded" else service.FAILED


async def _refund_event(conn: Conn, event_id: str, event_type: str, refund: dict[str, Any]) -> service.Outcome:
    """`refund.updated` (and created/failed) carry the refund itself: its status is Stripe's final word."""
    ours = (refund.get("metadata") or {}).get("seiko_refund_id")
    return await refunds.apply_refund_event(
        conn, event_id=event_id, source="stripe", event_type=event_type, provider_refund_id=str(refund["id"]),
        our_refund_id=int(ours) if isinstance(ours, str) and ours.isdigit() else None,
        status=str(refund.get("status") or "pending"), failure_reason=refund.get("failure_reason"),
    )
