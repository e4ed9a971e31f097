"""An order's state is the fold of its events: a pure function, no database.

`order.imported` is a snapshot (an order older than the log); `order.placed` starts an order; each
status event moves it. Events that change no order column (a failed payment, a refund request) leave
the state as it was, except `updated_at`, which only status changes touch (as on the write side)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from events.envelope import Event

STATUS_EVENTS = {"order.paid", "order.shipped", "order.delivered", "order.cancelled", "order.refunded"}


@dataclass(frozen=True)
class OrderState:
    order_id: int
    customer_id: int
    status: str
    total: Decimal
    subtotal: Decimal | None
    shipping_method: str | None
    shipping_cost: Decimal
    tax_rate: Decimal
    tax: Decimal
    ship_to: dict[str, Any] | None
    currency: str
    lines: tuple[tuple[int, int, Decimal], ...]  # (watch_id, quantity, unit_price), by watch id
    created_at: datetime
    updated_at: datetime
    paid_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    refunded_at: datetime | None = None


class FoldError(ValueError):
    """The events do not make an order: a status event before the order exists, or a jump the state
    machine never makes."""


def _lines(data: dict[str, Any]) -> tuple[tuple[int, int, Decimal], ...]:
    return tuple(sorted((int(x["watch_id"]), int(x["quantity"]), Decimal(x["unit_price"])) for x in data["lines"]))


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _start(event: Event) -> OrderState:
    d = event.data
    imported = event.type == "order.imported"
    created = _moment(d["created_at"]) if imported else event.time
    assert created is not None
    return OrderState(
        order_id=int(d["order_id"]), customer_id=int(d["customer_id"]), status=d["status"], total=Decimal(d["total"]),
        subtotal=_money(d["subtotal"]), shipping_method=d["shipping_method"], shipping_cost=Decimal(d["shipping_cost"]),
        tax_rate=Decimal(d["tax_rate"]), tax=Decimal(d["tax"]), ship_to=d["ship_to"], currency=d["currency"],
        lines=_lines(d), created_at=created,
        updated_at=(_moment(d["updated_at"]) or created) if imported else created,
        paid_at=_moment(d.get("paid_at")), cancelled_at=_moment(d.get("cancelled_at")),
        cancel_reason=d.get("cancel_reason"), refunded_at=_moment(d.get("refunded_at")),
    )


def apply(state: OrderState | None, event: Event) -> OrderState | None:
    """One step of the fold."""
    if event.type in ("order.placed", "order.imported"):
        if state is not None:
            raise FoldError(f"order {event.subject} starts twice")
        return _start(event)
    if event.type not in STATUS_EVENTS:
        return state
    if state is None:
        raise FoldError(f"{event.type} for order {event.subject} before it was placed")
    if event.data["from_status"] != state.status:
        raise FoldError(f"{event.type} for order {event.subject} from {event.data['from_status']}, "
                        f"but the order is {state.status}")
    status, at = event.data["status"], event.time
    moved = replace(state, status=status, updated_at=at)
    if status == "paid":
        return replace(moved, paid_at=at)
    if status == "cancelled":
        return replace(moved, cancelled_at=at, cancel_reason=event.data["reason"])
    if status == "refunded":
        return replace(moved, refunded_at=at)
    return moved


def fold(events: Iterable[Event]) -> OrderState | None:
    """The state of one order from its events, in log order."""
    state: OrderState | None = None
    for event in events:
        state = apply(state, event)
    return state
