"""SQL of the read models (CQRS): written only by the projections in events/projections.py, read by
pages, reports and forecasting. The write side never reads these tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from db.pool import Conn
from events.fold import OrderState

_ORDER_COLUMNS = ("order_id, customer_id, status, total, subtotal, shipping_method, shipping_cost, tax_rate, tax, "
                  "ship_to, currency, lines, created_at, updated_at, paid_at, cancelled_at, cancel_reason, "
                  "refunded_at")


def _state(row: dict[str, Any]) -> OrderState:
    lines = tuple(sorted((int(x["watch_id"]), int(x["quantity"]), Decimal(x["unit_price"])) for x in row["lines"]))
    return OrderState(**{**{k: v for k, v in row.items() if k not in ("lines", "position")}, "lines": lines})


async def orders_by_id(conn: Conn, *, order_ids: list[int]) -> dict[int, OrderState]:
    cur = await conn.execute(
        f"SELECT {_ORDER_COLUMNS} FROM read_orders WHERE order_id = ANY(%(ids)s)", {"ids": order_ids})  # noqa: S608
    return {int(r["order_id"]): _state(r) for r in await cur.fetchall()}


async def upsert_orders(conn: Conn, states: list[tuple[OrderState, int]]) -> None:
    """Write folded orders with the log position of the last event each saw."""
    rows = [{
        **{k: getattr(s, k) for k in _ORDER_COLUMNS.replace(" ", "").split(",") if k not in ("lines", "ship_to")},
        "ship_to": json.dumps(s.ship_to) if s.ship_to is not None else None,
        "lines": json.dumps([{"watch_id": w, "quantity": q, "unit_price": str(p)} for w, q, p in s.lines]),
        "position": position} for s, position in states]
    async with conn.cursor() as cur:
        await cur.executemany(
            f"""INSERT INTO read_orders ({_ORDER_COLUMNS}, position)
                VALUES (%(order_id)s, %(customer_id)s, %(status)s, %(total)s, %(subtotal)s, %(shipping_method)s,
                        %(shipping_cost)s, %(tax_rate)s, %(tax)s, %(ship_to)s::jsonb, %(currency)s, %(lines)s::jsonb,
                        %(created_at)s, %(updated_at)s, %(paid_at)s, %(cancelled_at)s, %(cancel_reason)s,
                        %(refunded_at)s, %(position)s)
                ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
                    paid_at = excluded.paid_at, cancelled_at = excluded.cancelled_at,
                    cancel_reason = excluded.cancel_reason, refunded_at = excluded.refunded_at,
                    position = excluded.position""",  # noqa: S608
            rows)


async def add_status_counts(conn: Conn, deltas: dict[str, int]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            """INSERT INTO read_order_status_counts (status, orders) VALUES (%s, %s)
               ON CONFLICT (status) DO UPDATE SET orders = read_order_status_counts.orders + excluded.orders""",
            sorted(deltas.items()))


async def add_daily_orders(conn: Conn, deltas: dict[date, tuple[int, Decimal]]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            """INSERT INTO read_daily_orders (day, orders_placed, revenue) VALUES (%s, %s, %s)
               ON CONFLICT (day) DO UPDATE SET orders_placed = read_daily_orders.orders_placed + excluded.orders_placed,
                   revenue = read_daily_orders.revenue + excluded.revenue""",
            [(day, n, revenue) for day, (n, revenue) in sorted(deltas.items())])


async def add_daily_sales(conn: Conn, deltas: dict[tuple[int, date], tuple[int, Decimal]]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            """INSERT INTO read_daily_sales (watch_id, day, units, revenue) VALUES (%s, %s, %s, %s)
               ON CONFLICT (watch_id, day) DO UPDATE SET units = read_daily_sales.units + excluded.units,
                   revenue = read_daily_sales.revenue + excluded.revenue""",
            [(w, day, units, revenue) for (w, day), (units, revenue) in sorted(deltas.items())])


async def add_demand(conn: Conn, deltas: dict[int, tuple[int, datetime | None, int]]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            """INSERT INTO read_demand_signals (watch_id, units_sold, last_sold_at, position) VALUES (%s, %s, %s, %s)
               ON CONFLICT (watch_id) DO UPDATE SET units_sold = read_demand_signals.units_sold + excluded.units_sold,
                   last_sold_at = greatest(read_demand_signals.last_sold_at, excluded.last_sold_at),
                   position = greatest(read_demand_signals.position, excluded.position)""",
            [(w, units, at, position) for w, (units, at, position) in sorted(deltas.items())])


async def add_notices(conn: Conn, notices: list[dict[str, Any]]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            """INSERT INTO notices (event_id, kind, order_id, customer_id, body)
               VALUES (%(event_id)s, %(kind)s, %(order_id)s, %(customer_id)s, %(body)s::jsonb)
               ON CONFLICT (event_id) DO NOTHING""",
            [{**n, "body": json.dumps(n["body"])} for n in notices])


async def clear(conn: Conn, *tables: str) -> None:
    from psycopg import sql

    for table in tables:
        await conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))


# --- readers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailySales:
    watch_id: int
    day: date
    units: int
    revenue: Decimal


async def daily_sales(conn: Conn, *, since: date, until: date) -> list[DailySales]:
    """Units and goods revenue per watch and UTC day (the day the order was placed), of orders paid and
    not refunded, for `since <= day <= until`. Days without a sale have no row (read them as zero)."""
    cur = await conn.execute(
        """SELECT watch_id, day, units, revenue FROM read_daily_sales
           WHERE day BETWEEN %(a)s AND %(b)s AND units <> 0 ORDER BY watch_id, day""",
        {"a": since, "b": until},
    )
    return [DailySales(int(r["watch_id"]), r["day"], int(r["units"]), r["revenue"]) for r in await cur.fetchall()]


async def order_history(conn: Conn, *, customer_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """A customer's orders, newest first, from the read model."""
    cur = await conn.execute(
        f"""SELECT {_ORDER_COLUMNS}, position FROM read_orders WHERE customer_id = %(c)s
            ORDER BY created_at DESC, order_id DESC LIMIT %(l)s""",  # noqa: S608
        {"c": customer_id, "l": limit},
    )
    return await cur.fetchall()


@dataclass(frozen=True)
class DemandSignal:
    watch_id: int
    units_sold: int
    last_sold_at: datetime | None


async def demand_signals(conn: Conn) -> dict[int, DemandSignal]:
    """Units sold per watch (paid, not refunded) and when it last sold: the stock agent's signal."""
    cur = await conn.execute("SELECT watch_id, units_sold, last_sold_at FROM read_demand_signals")
    return {int(r["watch_id"]): DemandSignal(int(r["watch_id"]), int(r["units_sold"]), r["last_sold_at"])
            for r in await cur.fetchall()}


@dataclass(frozen=True)
class DashboardFigures:
    orders_by_status: dict[str, int]
    revenue_total: Decimal
    revenue_since: Decimal
    orders_since: int


async def dashboard_figures(conn: Conn, *, since: date) -> DashboardFigures:
    """The admin dashboard's figures from the read model; the windowed ones count whole UTC days."""
    cur = await conn.execute("SELECT status, orders FROM read_order_status_counts WHERE orders <> 0")
    counts = {r["status"]: int(r["orders"]) for r in await cur.fetchall()}
    cur = await conn.execute(
        """SELECT coalesce(sum(revenue), 0) AS total,
                  coalesce(sum(revenue) FILTER (WHERE day >= %(s)s), 0) AS since,
                  coalesce(sum(orders_placed) FILTER (WHERE day >= %(s)s), 0) AS placed
           FROM read_daily_orders""",
        {"s": since},
    )
    row = await cur.fetchone()
    assert row is not None
    return DashboardFigures(counts, row["total"], row["since"], int(row["placed"]))
