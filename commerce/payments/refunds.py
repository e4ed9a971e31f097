"""Refunding paid orders through the payment provider.

A customer asks (a `requested` refund an admin sees); an admin refunds: the refund is claimed in one
short transaction (`pending`, at most one open per order), sent to the provider with no database
connection held, and its answer applied in another transaction under the order's row lock. Stripe
may answer `pending` and settle later with a `refund.updated` webhook, which goes through the same
`settle` exactly once (the event id is claimed like the payment events). The order becomes
`refunded`, and a paid order's units go back on the shelf, only when the refund succeeded.
"""

from __future__ import annotations

from typing import Any

import psycopg.errors

from commerce import metrics
from commerce.errors import OrderNotRefundable, PaymentProviderUnavailable, RefundFailed
from commerce.orders import event_log
from commerce.orders import service as orders
from commerce.orders.models import OrderPublic, OrderStatus, RefundStatus
from commerce.payments import refund_repo
from commerce.payments import repo as payments_repo
from commerce.payments.provider import PaymentProvider, ProviderUnavailable
from commerce.payments.service import Outcome
from db.pool import Conn, Pool

REFUND_EVENTS = ("refund.created", "refund.updated", "refund.failed")


def idempotency_key(refund_id: int) -> str:
    return f"seiko-refund-{refund_id}"


async def request_refund(pool: Pool, *, order_id: int, customer_id: int, reason: str | None) -> OrderPublic:
    """A customer asks for their paid order's money back; an admin makes the refund. Asking twice
    changes nothing."""
    async with pool.connection() as conn:
        async with conn.transaction():
            order = await orders.lock_order(conn, order_id=order_id, owner_id=customer_id)
            payment = await _refundable_payment(conn, order)
            if await refund_repo.open_for_order(conn, order_id=order_id) is None:
                asked = await refund_repo.insert(conn, order_id=order_id, payment_id=payment["id"],
                                                 provider=payment["provider"], amount_cents=payment["amount_cents"],
                                                 status=RefundStatus.requested, reason=reason,
                                                 requested_by=customer_id)
                await event_log.refund_changed(conn, order_id=order_id, refund_id=asked["id"], status="requested",
                                               amount_cents=asked["amount_cents"], reason=reason)
        return await orders.get_order(conn, order_id=order_id, customer_id=customer_id)


async def refund_order(
    pool: Pool, *, provider: PaymentProvider, order_id: int, actor_id: int, reason: str | None
) -> OrderPublic:
    """An admin refunds an order in full through the provider. A retry after a timeout sends the same
    idempotency key, so the provider never pays out twice."""
    async with pool.connection() as conn:
        refund = await _claim(conn, order_id=order_id, actor_id=actor_id, reason=reason)
        intent = await payments_repo.get_by_id(conn, payment_id=refund["payment_id"])
        if refund["provider_refund_id"] is not None:  # already with the provider: its webhook settles it
            return await orders.get_order(conn, order_id=order_id)
    # No connection is held while the provider answers.
    try:
        answer = await provider.create_refund(intent_id=intent["intent_id"], amount_cents=refund["amount_cents"],
                                              refund_id=refund["id"], idempotency_key=idempotency_key(refund["id"]))
    except ProviderUnavailable as exc:
        raise PaymentProviderUnavailable("The payment provider did not answer; the refund stays pending, "
                                         "try again shortly") from exc
    async with pool.connection() as conn:
        settled = await settle(conn, refund_id=refund["id"], provider_refund_id=answer.refund_id or None,
                               status=answer.status, failure_reason=answer.failure_reason)
        metrics.REFUNDS.labels(outcome=settled).inc()
        order = await orders.get_order(conn, order_id=order_id)
    if settled == "refund_failed":
        raise RefundFailed(f"The refund of order {order_id} failed: {answer.failure_reason or 'no reason given'}",
                           order_id=order_id, failure_reason=answer.failure_reason)
    return order


async def _claim(conn: Conn, *, order_id: int, actor_id: int, reason: str | None) -> dict[str, Any]:
    """The order's open refund, made `pending` (a customer's request) or created; one transaction."""
    try:
        async with conn.transaction():
            order = await orders.lock_order(conn, order_id=order_id)
            payment = await _refundable_payment(conn, order)
            refund = await refund_repo.open_for_order(conn, order_id=order_id)
            if refund is None:
                return await refund_repo.insert(conn, order_id=order_id, payment_id=payment["id"],
                                                provider=payment["provider"], amount_cents=payment["amount_cents"],
                                                status=RefundStatus.pending, reason=reason, requested_by=actor_id)
            if refund["status"] == RefundStatus.requested:
                await refund_repo.set_status(conn, refund_id=refund["id"], status=RefundStatus.pending)
            return refund
    except psycopg.errors.UniqueViolation as exc:  # cannot happen under the order lock; kept explicit
        raise OrderNotRefundable(f"Order {order_id} already has a refund under way") from exc


async def _refundable_payment(conn: Conn, order: dict[str, Any]) -> dict[str, Any]:
    status = OrderStatus(order["status"])
    # A cancelled order is refundable when a payment landed after it expired (ops were told so).
    if status not in (OrderStatus.paid, OrderStatus.cancelled):
        raise OrderNotRefundable(f"Order {order['id']} is {status.value}; only a paid order is refunded",
                                 order_status=status.value)
    payment = await payments_repo.succeeded_for_order(conn, order_id=order["id"])
    if payment is None:
        raise OrderNotRefundable(f"Order {order['id']} has no payment through the provider to refund",
                                 order_status=status.value)
    return payment


async def settle(
    conn: Conn, *, refund_id: int, provider_refund_id: str | None, status: str, failure_reason: str | None
) -> str:
    """Apply the provider's word on a refund, once: `refunded`, `refund_failed`, `refund_pending` or
    `already_settled`. Takes the order's row lock, as payments and expiry do; the caller counts the
    outcome once committed."""
    async with conn.transaction():
        first = await refund_repo.get(conn, refund_id=refund_id)
        assert first is not None
        order = await orders.lock_order(conn, order_id=first["order_id"])
        refund = await refund_repo.get(conn, refund_id=refund_id, for_update=True)
        assert refund is not None
        if refund["status"] in (RefundStatus.succeeded, RefundStatus.failed):
            return "already_settled"
        if status == "succeeded":
            await refund_repo.set_status(conn, refund_id=refund_id, status=RefundStatus.succeeded,
                                         provider_refund_id=provider_refund_id)
            await orders.transition_locked(conn, order, OrderStatus.refunded, reason="refund succeeded",
                                           actor_id=refund["requested_by"])
            outcome = "refunded"
        elif status in ("failed", "canceled"):
            await refund_repo.set_status(conn, refund_id=refund_id, status=RefundStatus.failed,
                                         provider_refund_id=provider_refund_id,
                                         failure_reason=failure_reason or f"the provider answered {status}")
            await event_log.refund_changed(conn, order_id=order["id"], refund_id=refund_id, status="failed",
                                           amount_cents=refund["amount_cents"],
                                           reason=failure_reason or f"the provider answered {status}")
            outcome = "refund_failed"
        else:  # pending, requires_action: Stripe's webhook brings the end of it
            await refund_repo.set_status(conn, refund_id=refund_id, status=RefundStatus.pending,
                                         provider_refund_id=provider_refund_id)
            outcome = "refund_pending"
    return outcome


async def apply_refund_event(
    conn: Conn, *, event_id: str, source: str, event_type: str, provider_refund_id: str,
    our_refund_id: int | None, status: str, failure_reason: str | None,
) -> Outcome:
    """A provider's refund event, applied exactly once (its id is claimed with the effect)."""
    async with conn.transaction():
        if not await payments_repo.record_event(conn, event_id=event_id, source=source, type_=event_type,
                                                intent_id=None):
            return Outcome("duplicate")
        refund = await refund_repo.find_by_provider_id(conn, provider_refund_id=provider_refund_id)
        if refund is None and our_refund_id is not None:
            # We crashed between Stripe creating the refund and us storing its id: the metadata names it.
            refund = await refund_repo.get(conn, refund_id=our_refund_id)
        if refund is None:
            applied = Outcome("unknown_refund")
        else:
            applied = Outcome(await settle(conn, refund_id=refund["id"], provider_refund_id=provider_refund_id,
                                           status=status, failure_reason=failure_reason), refund["order_id"])
        await payments_repo.set_event_outcome(conn, event_id=event_id, outcome=applied.applied)
    metrics.REFUNDS.labels(outcome=applied.applied).inc()
    return applied
