"""The events of an order, appended in the transaction of the change they record (events/).

Each event carries what a reader needs without asking the write side: the customer, the lines and the
status it came from, so projections and consumers are fed by the log alone."""

from __future__ import annotations

from typing import Any

from commerce.orders.checkout import Totals
from commerce.orders.models import OrderStatus
from db.pool import Conn
from events import repo as events

ORDER = "order"


def _lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"watch_id": r["watch_id"], "reference": r["reference"], "quantity": r["quantity"],
             "unit_price": str(r["unit_price"])} for r in sorted(rows, key=lambda r: r["watch_id"])]


async def placed(
    conn: Conn, *, order_id: int, customer_id: int, totals: Totals, shipping_method: str | None,
    ship_to: dict[str, Any] | None, lines: list[dict[str, Any]],
) -> None:
    await events.append(conn, type_="order.placed", aggregate_type=ORDER, subject=order_id, data={
        "order_id": order_id, "customer_id": customer_id, "status": OrderStatus.pending_payment.value,
        "lines": _lines(lines), "subtotal": str(totals.subtotal), "shipping_method": shipping_method,
        "shipping_cost": str(totals.shipping_cost), "tax_rate": str(totals.tax_rate), "tax": str(totals.tax),
        "total": str(totals.total), "currency": "USD", "ship_to": ship_to,
    })


async def transitioned(
    conn: Conn, *, row: dict[str, Any], lines: list[dict[str, Any]], new_status: OrderStatus,
    reason: str | None, actor_id: int | None,
) -> None:
    """order.paid, order.shipped, order.delivered, order.cancelled or order.refunded."""
    await events.append(conn, type_=f"order.{new_status.value}", aggregate_type=ORDER, subject=row["id"], data={
        "order_id": row["id"], "customer_id": row["customer_id"], "from_status": row["status"],
        "status": new_status.value, "reason": reason, "actor_id": actor_id, "total": str(row["total"]),
        "placed_at": row["created_at"].isoformat(), "lines": _lines(lines),
    })


async def payment_failed(conn: Conn, *, order_id: int, customer_id: int, intent_id: str,
                         failure_reason: str | None) -> None:
    await events.append(conn, type_="order.payment_failed", aggregate_type=ORDER, subject=order_id, data={
        "order_id": order_id, "customer_id": customer_id, "intent_id": intent_id, "failure_reason": failure_reason})


async def refund_changed(conn: Conn, *, order_id: int, refund_id: int, status: str, amount_cents: int,
                         reason: str | None) -> None:
    """order.refund_requested or order.refund_failed (a succeeded refund is order.refunded)."""
    await events.append(conn, type_=f"order.refund_{status}", aggregate_type=ORDER, subject=order_id, data={
        "order_id": order_id, "refund_id": refund_id, "status": status, "amount_cents": amount_cents,
        "reason": reason})
