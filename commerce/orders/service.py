"""Placing, listing and moving orders through their statuses.

Stock is reserved when an order is placed (pending_payment), consumed when it is paid and given
back when it is cancelled before shipping. Lines are processed in watch-id order so that two
orders for the same watches always lock rows in the same order and cannot deadlock.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import psycopg.errors

from commerce import metrics
from commerce.catalog import repo as catalog_repo
from commerce.errors import (
    Forbidden,
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidStatusTransition,
    OrderNotFound,
    OrderPaid,
    QuantityLimitExceeded,
    UnknownReference,
    UnpaidOrdersLimit,
)
from commerce.inventory import repo as inventory_repo
from commerce.orders import event_log, repo
from commerce.orders.checkout import CheckoutRates, ShippingIn, check_address, quote
from commerce.orders.models import (
    MANUAL_TRANSITIONS,
    TRANSITIONS,
    Confirmation,
    OrderAdmin,
    OrderCreate,
    OrderLimits,
    OrderLine,
    OrderPublic,
    OrderStatus,
    PaymentSummary,
    RefundSummary,
)
from db.pool import Conn


def _merge_lines(data: OrderCreate) -> dict[str, int]:
    merged: dict[str, int] = {}
    for line in data.items:
        merged[line.reference] = merged.get(line.reference, 0) + line.quantity
    return merged


def _request_hash(lines: dict[str, int], shipping: ShippingIn | None) -> str:
    shipped = shipping.model_dump(mode="json") if shipping else None
    return hashlib.sha256(json.dumps([sorted(lines.items()), shipped], sort_keys=True).encode()).hexdigest()


async def place_order(
    conn: Conn, *, customer_id: int, data: OrderCreate, idempotency_key: str | None, limits: OrderLimits,
    rates: CheckoutRates,
) -> tuple[OrderPublic, bool]:
    """Reserve stock and create the order. Returns the order and whether it was newly created
    (False when an Idempotency-Key replay returned the earlier order)."""
    wanted = _merge_lines(data)
    digest = _request_hash(wanted, data.shipping)
    if data.shipping is not None:
        check_address(data.shipping.address, rates)  # before anything is reserved
    if idempotency_key:
        earlier = await repo.find_by_idempotency_key(conn, customer_id=customer_id, key=idempotency_key)
        if earlier is not None:
            return await _replay(conn, earlier, digest), False
    try:
        order_id = await _reserve_and_insert(conn, customer_id, wanted, idempotency_key, digest, limits,
                                             data.shipping, rates)
    except psycopg.errors.UniqueViolation:
        # A concurrent request with the same key won the race; answer with its order.
        assert idempotency_key is not None
        earlier = await repo.find_by_idempotency_key(conn, customer_id=customer_id, key=idempotency_key)
        assert earlier is not None
        return await _replay(conn, earlier, digest), False
    metrics.ORDERS_CREATED.inc()
    return await get_order(conn, order_id=order_id, customer_id=customer_id), True


async def replay(conn: Conn, *, customer_id: int, idempotency_key: str) -> OrderPublic | None:
    """The order an earlier request with this key placed, whatever it asked for (a cart checkout
    retried after its cart emptied into that order)."""
    earlier = await repo.find_by_idempotency_key(conn, customer_id=customer_id, key=idempotency_key)
    return None if earlier is None else await get_order(conn, order_id=earlier["id"], customer_id=customer_id)


async def _replay(conn: Conn, earlier: dict[str, Any], digest: str) -> OrderPublic:
    if earlier["request_hash"] != digest:
        raise IdempotencyKeyReused("This Idempotency-Key was used for a different order")
    return await get_order(conn, order_id=earlier["id"], customer_id=earlier["customer_id"])


async def _reserve_and_insert(
    conn: Conn, customer_id: int, wanted: dict[str, int], key: str | None, digest: str, limits: OrderLimits,
    shipping: ShippingIn | None, rates: CheckoutRates,
) -> int:
    async with conn.transaction():
        await repo.lock_customer_orders(conn, customer_id=customer_id)
        watches = await catalog_repo.get_watches_by_references(conn, references=list(wanted))
        unknown = sorted(set(wanted) - {w["reference"] for w in watches})
        if unknown:
            raise UnknownReference(f"Unknown watch reference(s): {', '.join(unknown)}", references=unknown)
        subtotal = sum((w["price"] * wanted[w["reference"]] for w in watches), Decimal("0.00"))
        totals = quote(subtotal, shipping, rates)
        order_id = await repo.insert(
            conn, customer_id=customer_id, totals=totals, idempotency_key=key, request_hash=digest,
            shipping_method=shipping.method.value if shipping else None,
            ship_to=shipping.address.model_dump(mode="json") if shipping else None)
        short: list[dict[str, Any]] = []
        for watch in watches:  # ordered by id: a stable lock order
            quantity = wanted[watch["reference"]]
            balance = await inventory_repo.reserve(conn, watch_id=watch["id"], quantity=quantity)
            if balance is None:
                # Keep going: the shopper hears about every short line at once, not one per attempt.
                current = await catalog_repo.get_watch(conn, reference=watch["reference"])
                short.append({"reference": watch["reference"], "requested": quantity,
                              "available": current["stock_available"] if current else 0})
                continue
            if short:
                continue  # the order fails anyway; the rollback undoes what was reserved
            await repo.insert_line(conn, order_id=order_id, watch_id=watch["id"], quantity=quantity,
                                   unit_price=watch["price"])
            await inventory_repo.record_movement(
                conn, watch_id=watch["id"], delta=-quantity, kind="order_reserved",
                reason=f"order {order_id}", balance_after=balance, order_id=order_id,
            )
        if short:
            first = short[0]
            raise InsufficientStock(
                "; ".join(f"Only {line['available']} of {line['reference']} available, {line['requested']} requested"
                          for line in short),
                reference=first["reference"], requested=first["requested"], available=first["available"],
                lines=short,
            )
        # After the stock check, so a request for more than exists is still `insufficient_stock`;
        # any refusal here rolls the reservation back with the rest.
        _check_quantities(wanted, limits)
        await _check_unpaid(conn, customer_id, limits)
        await event_log.placed(
            conn, order_id=order_id, customer_id=customer_id, totals=totals,
            shipping_method=shipping.method.value if shipping else None,
            ship_to=shipping.address.model_dump(mode="json") if shipping else None,
            lines=[{"watch_id": w["id"], "reference": w["reference"], "quantity": wanted[w["reference"]],
                    "unit_price": w["price"]} for w in watches])
    return order_id


def _check_quantities(wanted: dict[str, int], limits: OrderLimits) -> None:
    over = sorted(ref for ref, quantity in wanted.items() if quantity > limits.max_line_quantity)
    if over:
        raise QuantityLimitExceeded(
            f"At most {limits.max_line_quantity} of one watch per order ({', '.join(over)})",
            limit="line_quantity", allowed=limits.max_line_quantity, references=over)
    units = sum(wanted.values())
    if units > limits.max_order_units:
        raise QuantityLimitExceeded(f"At most {limits.max_order_units} watches per order; this one has {units}",
                                    limit="order_units", allowed=limits.max_order_units, requested=units)


async def _check_unpaid(conn: Conn, customer_id: int, limits: OrderLimits) -> None:
    unpaid = await repo.unpaid_for_customer(conn, customer_id=customer_id)  # this order included
    if unpaid["orders"] > limits.max_unpaid_orders:
        raise UnpaidOrdersLimit(
            f"You have {unpaid['orders'] - 1} orders waiting for payment; pay or cancel one first "
            f"(at most {limits.max_unpaid_orders})", limit="unpaid_orders", allowed=limits.max_unpaid_orders)
    if unpaid["value"] > limits.max_reserved_value:
        raise UnpaidOrdersLimit(
            f"Unpaid orders may hold at most ${limits.max_reserved_value:,} of watches; with this one yours "
            f"would hold ${unpaid['value']:,}", limit="reserved_value", allowed=str(limits.max_reserved_value),
            requested=str(unpaid["value"]))


async def _assemble(conn: Conn, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_order: dict[int, list[OrderLine]] = {r["id"]: [] for r in rows}
    for line in await repo.lines(conn, order_ids=list(by_order)):
        by_order[line["order_id"]].append(
            OrderLine(reference=line["reference"], name=line["name"], quantity=line["quantity"],
                      unit_price=line["unit_price"], line_total=line["unit_price"] * line["quantity"])
        )
    return [{**r, "items": by_order[r["id"]], "payment": _payment(r), "confirmation": _confirmation(r),
             "refund": _refund(r)} for r in rows]


def _refund(row: dict[str, Any]) -> RefundSummary | None:
    if row.get("refund_status") is None:
        return None
    return RefundSummary(status=row["refund_status"], amount_cents=row["refund_amount_cents"],
                         provider=row["refund_provider"], reason=row["refund_reason"],
                         failure_reason=row["refund_failure_reason"], created_at=row["refund_created_at"])


def _payment(row: dict[str, Any]) -> PaymentSummary | None:
    if row.get("payment_intent_id") is None:
        return None
    return PaymentSummary(provider=row["payment_provider"], simulated=row["payment_provider"] == "simulated",
                          status=row["payment_status"], intent_id=row["payment_intent_id"],
                          amount_cents=row["payment_amount_cents"], failure_reason=row["payment_failure_reason"])


def _confirmation(row: dict[str, Any]) -> Confirmation | None:
    if row.get("confirmation_number") is None:
        return None
    return Confirmation(order_number=row["confirmation_number"], sent_to=row["confirmation_sent_to"],
                        created_at=row["confirmation_created_at"])


async def get_order(conn: Conn, *, order_id: int, customer_id: int | None = None) -> OrderPublic:
    """One order; with `customer_id`, only if it belongs to that customer (else not found)."""
    row = await repo.get(conn, order_id=order_id)
    if row is None or (customer_id is not None and row["customer_id"] != customer_id):
        raise OrderNotFound(f"No order {order_id}")
    (assembled,) = await _assemble(conn, [row])
    return OrderPublic.model_validate(assembled)


async def list_orders(conn: Conn, *, customer_id: int, limit: int = 100) -> list[OrderPublic]:
    rows = await repo.list_for_customer(conn, customer_id=customer_id, limit=limit)
    return [OrderPublic.model_validate(r) for r in await _assemble(conn, rows)] if rows else []


async def list_all_orders(
    conn: Conn, *, status: OrderStatus | None, limit: int, offset: int
) -> tuple[list[OrderAdmin], int]:
    rows, total = await repo.list_all(conn, status=status.value if status else None, limit=limit, offset=offset)
    return ([OrderAdmin.model_validate(r) for r in await _assemble(conn, rows)] if rows else []), total


async def change_status(
    conn: Conn, *, order_id: int, new_status: OrderStatus, reason: str | None = None,
    actor_id: int | None = None, owner_id: int | None = None,
) -> OrderPublic:
    """Move an order along MANUAL_TRANSITIONS, with its stock effects, under a row lock.

    `owner_id` restricts the change to that customer's own order (customers may only cancel)."""
    async with conn.transaction():
        row = await lock_order(conn, order_id=order_id, owner_id=owner_id)
        if owner_id is not None and new_status is not OrderStatus.cancelled:
            raise Forbidden("Customers may only cancel their orders")
        current = OrderStatus(row["status"])
        if new_status is OrderStatus.cancelled and current is OrderStatus.paid:
            raise OrderPaid(f"Order {order_id} is paid: it is refunded (POST /api/v1/orders/{order_id}/refund), "
                            "not cancelled", order_status=current.value)
        if new_status is OrderStatus.refunded:
            raise InvalidStatusTransition(
                f"An order becomes refunded only through POST /api/v1/orders/{order_id}/refund",
                current=current.value, requested=new_status.value)
        if new_status not in MANUAL_TRANSITIONS[current]:
            raise InvalidStatusTransition(
                f"An order that is {current.value} cannot become {new_status.value}",
                current=current.value, requested=new_status.value,
            )
        await transition_locked(conn, row, new_status, reason=reason, actor_id=actor_id)
    count_transition(row, new_status)
    return await get_order(conn, order_id=order_id)


async def lock_order(conn: Conn, *, order_id: int, owner_id: int | None = None) -> dict[str, Any]:
    """Lock an order row for a status change (inside the caller's transaction)."""
    row = await repo.get(conn, order_id=order_id, for_update=True)
    if row is None or (owner_id is not None and row["customer_id"] != owner_id):
        raise OrderNotFound(f"No order {order_id}")
    return row


async def transition_locked(
    conn: Conn, row: dict[str, Any], new_status: OrderStatus, *, reason: str | None = None,
    actor_id: int | None = None,
) -> None:
    """Apply one transition to an order locked with `lock_order`, inside the caller's transaction.
    The caller calls `count_transition` once the transaction has committed."""
    current = OrderStatus(row["status"])
    if new_status not in TRANSITIONS[current]:
        raise InvalidStatusTransition(
            f"An order that is {current.value} cannot become {new_status.value}",
            current=current.value, requested=new_status.value,
        )
    order_lines = await repo.lines(conn, order_ids=[row["id"]])
    await _apply_stock_effects(conn, row["id"], order_lines, current, new_status, actor_id)
    await repo.set_status(conn, order_id=row["id"], status=new_status.value, reason=reason)
    await event_log.transitioned(conn, row=row, lines=order_lines, new_status=new_status, reason=reason,
                                 actor_id=actor_id)


def count_transition(row: dict[str, Any], new_status: OrderStatus) -> None:
    if new_status is OrderStatus.paid:
        metrics.ORDERS_REVENUE.inc(float(row["total"]))  # the exporter's own type; money stays Decimal here


async def _apply_stock_effects(
    conn: Conn, order_id: int, order_lines: list[dict[str, Any]], current: OrderStatus, new: OrderStatus,
    actor_id: int | None,
) -> None:
    for line in sorted(order_lines, key=lambda x: x["watch_id"]):
        if new is OrderStatus.paid:
            await inventory_repo.consume_reservation(conn, watch_id=line["watch_id"], quantity=line["quantity"])
        elif new is OrderStatus.cancelled:  # only ever from pending_payment: the reservation is released
            balance = await inventory_repo.release(conn, watch_id=line["watch_id"], quantity=line["quantity"])
            await inventory_repo.record_movement(
                conn, watch_id=line["watch_id"], delta=line["quantity"], kind="order_released",
                reason=f"order {order_id} cancelled", balance_after=balance, order_id=order_id, actor_id=actor_id,
            )
        elif new is OrderStatus.refunded and current is OrderStatus.paid:
            # The paid units were taken off the shelf; the refund puts them back. A cancelled order's
            # units went back when it was cancelled, so its refund moves no stock.
            refunded = await inventory_repo.adjust(conn, watch_id=line["watch_id"], delta=line["quantity"])
            assert refunded is not None
            await inventory_repo.record_movement(
                conn, watch_id=line["watch_id"], delta=line["quantity"], kind="order_refunded",
                reason=f"order {order_id} refunded", balance_after=refunded, order_id=order_id, actor_id=actor_id,
            )


async def refresh_gauges(conn: Conn) -> None:
    """Gauges that mirror the database, read when metrics are collected."""
    metrics.RESERVED_UNPAID_UNITS.set(await repo.reserved_unpaid_units(conn))
