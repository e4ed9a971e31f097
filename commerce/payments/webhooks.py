"""Stripe webhooks: verify the signature on the raw body, then apply the event exactly once."""

from __future__ import annotations

from typing import Any

import stripe

from commerce.errors import InvalidSignature, MalformedEvent
from commerce.payments import refunds, service
from commerce.payments.provider import PaymentProvider, ProviderUnavailable
from commerce.payments.stripe_provider import verify_webhook
from db.pool import Conn, Pool

TOLERANCE_SECONDS = 300


async def handle_stripe_event(
    pool: Pool, *, provider: PaymentProvider, payload: bytes, signature: str | None, secret: str
) -> service.Outcome:
    """Connections are borrowed for the writes only: a failure is re-read from Stripe with none held."""
    try:
        event = verify_webhook(payload, signature, secret, tolerance=TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature("The Stripe-Signature header does not match this body and secret") from exc
    except ValueError as exc:
        raise InvalidSignature("The webhook body is not a Stripe event") from exc
    event_id, event_type, obj = _parts(event.to_dict())
    if event_type in refunds.REFUND_EVENTS and obj.get("id"):
        async with pool.connection() as conn:
            return await _refund_event(conn, event_id, event_type, obj)
    intent_id = obj.get("id") if event_type.startswith("payment_intent.") else None
    failure = (obj.get("last_payment_error") or {}).get("message") if event_type == service.FAILED else None
    if event_type == service.FAILED and intent_id:
        event_type = await _reread_failure(provider, intent_id)
    async with pool.connection() as conn:
        return await service.apply_outcome(conn, event_id=event_id, source="stripe", event_type=event_type,
                                           intent_id=intent_id, failure_reason=failure)


def _parts(event: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """id, type and data.object of a signed event. A correctly signed body can still lack them (a
    test tool, an event from a newer API version): that is the sender's error, 400, not ours."""
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    event_id, event_type = event.get("id"), event.get("type")
    if not (isinstance(event_id, str) and isinstance(event_type, str) and isinstance(obj, dict)):
        raise MalformedEvent("A Stripe event needs a string `id` and `type` and an object at `data.object`")
    return event_id, event_type, obj


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
