"""Paying for orders: start a PaymentIntent, apply provider outcomes exactly once, expire unpaid orders.

Every outcome (a Stripe webhook or a simulated payment) goes through `apply_outcome`, which claims
the event id and changes the order in one transaction under the order's row lock; expiry takes the
same lock, so a payment and an expiry racing for one order are serialised and stock moves once.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg.errors

from commerce import metrics
from commerce.errors import OrderNotPayable, PaymentProviderUnavailable
from commerce.orders import event_log
from commerce.orders import repo as orders_repo
from commerce.orders import service as orders
from commerce.orders.models import OrderPublic, OrderStatus
from commerce.payments import repo
from commerce.payments.models import PaymentStart, PaymentStatus, to_cents
from commerce.payments.provider import PaymentProvider, ProviderUnavailable
from db.pool import Conn, Pool

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"


def idempotency_key(order_id: int, attempt: int) -> str:
    return f"seiko-order-{order_id}-attempt-{attempt}"


async def start_payment(pool: Pool, *, provider: PaymentProvider, order_id: int, customer_id: int) -> PaymentStart:
    """Create (or find again) the PaymentIntent for an unpaid order of this customer. A connection is
    borrowed before and after the provider is called, never held while it answers."""
    async with pool.connection() as conn:
        order = await orders.get_order(conn, order_id=order_id, customer_id=customer_id)
        if order.status is not OrderStatus.pending_payment:
            raise OrderNotPayable(f"Order {order_id} is {order.status.value}", order_status=order.status.value)
        latest = await repo.latest_for_order(conn, order_id=order_id)
    if latest is not None and latest["status"] == PaymentStatus.requires_payment:
        secret = await _client_secret(provider, latest["intent_id"])
        return _start(provider, latest, secret)
    attempt = (latest["attempt"] + 1) if latest else 1
    amount = to_cents(order.total)
    try:
        intent = await provider.create_intent(amount_cents=amount, currency="usd", order_id=order_id,
                                              idempotency_key=idempotency_key(order_id, attempt))
    except ProviderUnavailable as exc:
        raise PaymentProviderUnavailable("The payment provider did not answer; try again shortly") from exc
    async with pool.connection() as conn:
        try:
            row = await repo.insert(conn, order_id=order_id, provider=provider.name, intent_id=intent.intent_id,
                                    attempt=attempt, amount_cents=amount, currency="usd")
        except psycopg.errors.UniqueViolation:
            # A concurrent request made this attempt with the same idempotency key, hence the same intent.
            existing = await repo.get_by_intent(conn, intent_id=intent.intent_id)
            assert existing is not None
            row = existing
    return _start(provider, row, intent.client_secret)


async def _client_secret(provider: PaymentProvider, intent_id: str) -> str | None:
    try:
        return (await provider.retrieve_intent(intent_id)).client_secret
    except ProviderUnavailable as exc:
        raise PaymentProviderUnavailable("The payment provider did not answer; try again shortly") from exc


def _start(provider: PaymentProvider, row: dict[str, Any], secret: str | None) -> PaymentStart:
    return PaymentStart(order_id=row["order_id"], provider=row["provider"], simulated=provider.simulated,
                        intent_id=row["intent_id"], client_secret=secret, amount_cents=row["amount_cents"],
                        currency=row["currency"], status=row["status"], publishable_key=provider.publishable_key)


@dataclass(frozen=True)
class Outcome:
    applied: str  # what happened, e.g. paid, failed, duplicate, ignored_late_failure, refund_required
    order_id: int | None = None


async def apply_outcome(
    conn: Conn, *, event_id: str, source: str, event_type: str, intent_id: str | None,
    failure_reason: str | None = None,
) -> Outcome:
    """Apply one provider event exactly once. Unknown types and intents are recorded and ignored."""
    async with conn.transaction():
        if not await repo.record_event(conn, event_id=event_id, source=source, type_=event_type, intent_id=intent_id):
            return Outcome("duplicate")
        outcome = await _apply(conn, event_type, intent_id, failure_reason)
        await repo.set_event_outcome(conn, event_id=event_id, outcome=outcome.applied)
    if outcome.applied == "paid":
        order = await orders_repo.get(conn, order_id=outcome.order_id or 0)
        if order is not None:
            orders.count_transition(order, OrderStatus.paid)
    elif outcome.applied == "failed":
        metrics.PAYMENT_FAILURES.inc()
    return outcome


async def _apply(conn: Conn, event_type: str, intent_id: str | None, failure_reason: str | None) -> Outcome:
    if event_type not in (SUCCEEDED, FAILED) or intent_id is None:
        return Outcome("ignored_event_type")
    payment = await repo.get_by_intent(conn, intent_id=intent_id)
    if payment is None:
        return Outcome("unknown_intent")
    order = await orders.lock_order(conn, order_id=payment["order_id"])  # serialises with expiry
    payment = await repo.get_by_intent(conn, intent_id=intent_id, for_update=True)
    assert payment is not None
    status = OrderStatus(order["status"])
    if event_type == SUCCEEDED:
        await repo.set_status(conn, payment_id=payment["id"], status=PaymentStatus.succeeded)
        if status is OrderStatus.pending_payment:
            await orders.transition_locked(conn, order, OrderStatus.paid, reason="payment succeeded")
            await repo.add_to_outbox(conn, kind="order_confirmation", order_id=order["id"],
                                     recipient=order["customer_email"], payload=_confirmation(order, payment))
            return Outcome("paid", order["id"])
        if status is OrderStatus.cancelled:
            # Paid after the order expired: the stock is gone back to the shelf; ops must refund.
            await repo.add_to_outbox(conn, kind="refund_required", order_id=order["id"],
                                     recipient="ops", payload=_confirmation(order, payment))
            return Outcome("refund_required", order["id"])
        return Outcome("already_paid", order["id"])
    # A failure never un-pays: once an attempt succeeded, or the order moved on, late failures are noise.
    if payment["status"] == PaymentStatus.succeeded or status is not OrderStatus.pending_payment:
        return Outcome("ignored_late_failure", order["id"])
    await repo.set_status(conn, payment_id=payment["id"], status=PaymentStatus.failed, failure_reason=failure_reason)
    await event_log.payment_failed(conn, order_id=order["id"], customer_id=order["customer_id"], intent_id=intent_id,
                                   failure_reason=failure_reason)
    return Outcome("failed", order["id"])


def _confirmation(order: dict[str, Any], payment: dict[str, Any]) -> dict[str, Any]:
    return {
        "order_number": f"SWS-{order['id']:06d}",
        "order_id": order["id"],
        "subtotal": str(order["subtotal"]),
        "shipping_method": order["shipping_method"],
        "shipping_cost": str(order["shipping_cost"]),
        "tax": str(order["tax"]),
        "total": str(order["total"]),
        "ship_to": order["ship_to"],
        "currency": "USD",
        "amount_cents": payment["amount_cents"],
        "provider": payment["provider"],
        "intent_id": payment["intent_id"],
    }


async def simulate(pool: Pool, *, provider: PaymentProvider, order_id: int, customer_id: int,
                   succeeded: bool) -> OrderPublic:
    """The simulated provider's stand-in for a webhook: the same state changes, the same code path."""
    started = await start_payment(pool, provider=provider, order_id=order_id, customer_id=customer_id)
    async with pool.connection() as conn:
        return await _apply_simulated(conn, started.intent_id, order_id=order_id, customer_id=customer_id,
                                      succeeded=succeeded)


async def _apply_simulated(conn: Conn, intent_id: str, *, order_id: int, customer_id: int,
                           succeeded: bool) -> OrderPublic:
    await apply_outcome(
        conn, event_id=f"evt_sim_{uuid.uuid4().hex}", source="simulated",
        event_type=SUCCEEDED if succeeded else FAILED, intent_id=intent_id,
        failure_reason=None if succeeded else "simulated card decline",
    )
    return await orders.get_order(conn, order_id=order_id, customer_id=customer_id)


@dataclass(frozen=True)
class Expired:
    """Orders cancelled for want of payment, and the provider intents left to cancel (by the caller,
    after its connection is given back: the provider is a network peer)."""

    orders: int
    intents_to_cancel: tuple[str, ...]


async def expire_unpaid_orders(conn: Conn, *, older_than: timedelta, batch: int = 200) -> Expired:
    """Cancel orders left unpaid for longer than `older_than`, releasing their stock."""
    expired, intents = 0, []
    for order_id in await orders_repo.unpaid_older_than(conn, age=older_than, limit=batch):
        async with conn.transaction():
            order = await orders.lock_order(conn, order_id=order_id)
            if order["status"] != OrderStatus.pending_payment:
                continue  # paid (or cancelled) meanwhile
            await orders.transition_locked(conn, order, OrderStatus.cancelled, reason="payment window expired")
            for payment in await repo.open_intents_for_order(conn, order_id=order_id):
                await repo.set_status(conn, payment_id=payment["id"], status=PaymentStatus.canceled)
                intents.append(payment["intent_id"])
        expired += 1
    return Expired(expired, tuple(intents))


async def cancel_intents(provider: PaymentProvider, intent_ids: tuple[str, ...]) -> None:
    """Best effort: a payment that lands anyway on a cancelled order ends as refund_required."""
    for intent_id in intent_ids:
        with contextlib.suppress(ProviderUnavailable):
            await provider.cancel_intent(intent_id)
