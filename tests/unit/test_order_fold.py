"""The order fold is pure: events in, state out, and impossible histories are refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from events.envelope import Event
from events.fold import FoldError, fold

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LINES = [{"watch_id": 7, "reference": "SRPD55K1", "quantity": 2, "unit_price": "295.00"}]


def event(position: int, type_: str, **data: Any) -> Event:
    return Event(position=position, tx_id=position, id=uuid.uuid4(), source="/t", type=type_, subject="42",
                 aggregate_type="order", time=T0 + timedelta(minutes=position), schema_version=1,
                 data={"order_id": 42, "customer_id": 5, **data})


PLACED = event(1, "order.placed", status="pending_payment", lines=LINES, subtotal="590.00", shipping_method=None,
               shipping_cost="0.00", tax_rate="0", tax="0.00", total="590.00", currency="USD", ship_to=None)


def moved(position: int, frm: str, to: str, reason: str | None = None) -> Event:
    return event(position, f"order.{to}", from_status=frm, status=to, reason=reason, actor_id=None, total="590.00",
                 placed_at=T0.isoformat(), lines=LINES)


def test_a_paid_shipped_order() -> None:
    state = fold([PLACED, event(2, "order.payment_failed", intent_id="pi_1", failure_reason="declined"),
                  moved(3, "pending_payment", "paid"), moved(4, "paid", "shipped")])
    assert state is not None
    assert (state.status, state.total, state.lines) == ("shipped", Decimal("590.00"), ((7, 2, Decimal("295.00")),))
    assert (state.created_at, state.paid_at, state.updated_at) == (
        T0 + timedelta(minutes=1), T0 + timedelta(minutes=3), T0 + timedelta(minutes=4))
    assert state.cancelled_at is None and state.refunded_at is None


def test_a_cancelled_order_keeps_its_reason() -> None:
    state = fold([PLACED, moved(2, "pending_payment", "cancelled", reason="payment window expired")])
    assert state is not None and state.cancel_reason == "payment window expired"
    assert state.cancelled_at == T0 + timedelta(minutes=2)


def test_no_events_is_no_order() -> None:
    assert fold([]) is None


@pytest.mark.parametrize("history", [
    [moved(2, "pending_payment", "paid")],  # paid before it was placed
    [PLACED, moved(2, "paid", "shipped")],  # shipped from a status it never had
    [PLACED, PLACED],  # placed twice
])
def test_impossible_histories_are_refused(history: list[Event]) -> None:
    with pytest.raises(FoldError):
        fold(history)
