"""The consumers that build read models and send notices, all fed by events alone.

Each works a batch in memory (fold or sum the batch) and writes once, so a replay of the whole log
and a live batch of three events take the same path."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import ClassVar

from db.pool import Conn
from events import read_models
from events.envelope import Event
from events.fold import STATUS_EVENTS, OrderState, apply

# Statuses whose orders count as sold (as the reorder math's demand and the dashboard's revenue count them).
SOLD = frozenset({"paid", "shipped", "delivered"})
_STARTS = ("order.placed", "order.imported")


def _order_event(event_type: str) -> bool:
    return event_type in STATUS_EVENTS or event_type in _STARTS


def _day(value: datetime) -> date:
    return value.astimezone(UTC).date()


def _placed_at(event: Event) -> datetime:
    if event.type == "order.placed":
        return event.time
    return datetime.fromisoformat(event.data["created_at" if event.type == "order.imported" else "placed_at"])


def _sold_at(event: Event) -> datetime:
    """When the order came to count as sold: the event's own time, except for a snapshot of an older
    order, whose event is as new as the import but whose payment is not."""
    if event.type == "order.imported":
        return datetime.fromisoformat(event.data.get("paid_at") or event.data["created_at"])
    return event.time


def _sold_change(event: Event) -> int:
    """+1 when the event makes its order count as sold, -1 when it stops counting, else 0."""
    if event.type == "order.imported":
        return 1 if event.data["status"] in SOLD else 0
    if event.type == "order.placed":
        return 0
    before, after = event.data["from_status"] in SOLD, event.data["status"] in SOLD
    return int(after) - int(before)


class OrderHistory:
    """`read_orders`: every order as the fold of its events (order history per customer)."""

    name = "order_history"

    def handles(self, event_type: str) -> bool:
        return _order_event(event_type)

    async def apply(self, conn: Conn, events: list[Event]) -> None:
        ids = sorted({int(e.subject) for e in events})
        states: dict[int, OrderState | None] = dict.fromkeys(ids)
        states.update(await read_models.orders_by_id(conn, order_ids=ids))
        positions: dict[int, int] = {}
        for event in events:
            order_id = int(event.subject)
            states[order_id] = apply(states[order_id], event)
            positions[order_id] = event.position
        await read_models.upsert_orders(conn, [(s, positions[i]) for i, s in states.items()
                                               if s is not None and i in positions])

    async def reset(self, conn: Conn) -> None:
        await read_models.clear(conn, "read_orders")


class Dashboard:
    """`read_order_status_counts` and `read_daily_orders`: the admin dashboard's figures."""

    name = "dashboard"

    def handles(self, event_type: str) -> bool:
        return _order_event(event_type)

    async def apply(self, conn: Conn, events: list[Event]) -> None:
        counts: dict[str, int] = {}
        daily: dict[date, tuple[int, Decimal]] = {}
        for event in events:
            d = event.data
            if event.type in _STARTS:
                counts[d["status"]] = counts.get(d["status"], 0) + 1
            else:
                counts[d["from_status"]] = counts.get(d["from_status"], 0) - 1
                counts[d["status"]] = counts.get(d["status"], 0) + 1
            day = _day(_placed_at(event))
            placed, revenue = daily.get(day, (0, Decimal("0.00")))
            daily[day] = (placed + (event.type in _STARTS), revenue + _sold_change(event) * Decimal(d["total"]))
        await read_models.add_status_counts(conn, counts)
        await read_models.add_daily_orders(conn, daily)

    async def reset(self, conn: Conn) -> None:
        await read_models.clear(conn, "read_order_status_counts", "read_daily_orders")


class DailySalesProjection:
    """`read_daily_sales`: units and goods revenue per watch and day, for forecasting."""

    name = "daily_sales"

    def handles(self, event_type: str) -> bool:
        return _order_event(event_type)

    async def apply(self, conn: Conn, events: list[Event]) -> None:
        sales: dict[tuple[int, date], tuple[int, Decimal]] = {}
        for event in events:
            sign = _sold_change(event)
            if not sign:
                continue
            day = _day(_placed_at(event))
            for line in event.data["lines"]:
                key = (int(line["watch_id"]), day)
                units, revenue = sales.get(key, (0, Decimal("0.00")))
                sales[key] = (units + sign * line["quantity"],
                              revenue + sign * line["quantity"] * Decimal(line["unit_price"]))
        await read_models.add_daily_sales(conn, sales)

    async def reset(self, conn: Conn) -> None:
        await read_models.clear(conn, "read_daily_sales")


class DemandSignal:
    """`read_demand_signals`: units sold per watch as payments land, for the stock agent."""

    name = "demand_signal"

    def handles(self, event_type: str) -> bool:
        return _order_event(event_type)

    async def apply(self, conn: Conn, events: list[Event]) -> None:
        demand: dict[int, tuple[int, datetime | None, int]] = {}
        for event in events:
            sign = _sold_change(event)
            if not sign:
                continue
            for line in event.data["lines"]:
                watch = int(line["watch_id"])
                units, last, position = demand.get(watch, (0, None, 0))
                sold_at = _sold_at(event) if sign > 0 else last
                demand[watch] = (units + sign * line["quantity"],
                                 max(filter(None, (last, sold_at)), default=None), max(position, event.position))
        await read_models.add_demand(conn, demand)

    async def reset(self, conn: Conn) -> None:
        await read_models.clear(conn, "read_demand_signals")


class Notices:
    """An order confirmation when an order is paid, a refund notice when it is refunded."""

    name = "notices"
    KINDS: ClassVar[dict[str, str]] = {"order.paid": "order_confirmation", "order.refunded": "refund_notice"}

    def handles(self, event_type: str) -> bool:
        return event_type in self.KINDS

    async def apply(self, conn: Conn, events: list[Event]) -> None:
        await read_models.add_notices(conn, [{
            "event_id": e.id, "kind": self.KINDS[e.type], "order_id": int(e.data["order_id"]),
            "customer_id": int(e.data["customer_id"]),
            "body": {"order_number": f"SWS-{int(e.data['order_id']):06d}", "total": e.data["total"],
                     "lines": e.data["lines"], "at": e.time.isoformat()}} for e in events])

    async def reset(self, conn: Conn) -> None:
        pass  # notices were sent: a rebuild never sends them again (their claims stay too)


def read_models_consumers() -> list[OrderHistory | Dashboard | DailySalesProjection | DemandSignal]:
    """The projections `seiko events replay` rebuilds."""
    return [OrderHistory(), Dashboard(), DailySalesProjection(), DemandSignal()]


def all_consumers() -> list[OrderHistory | Dashboard | DailySalesProjection | DemandSignal | Notices]:
    return [*read_models_consumers(), Notices()]
