"""Read models handed to the parts that read them, brought up to date from the log first."""

from __future__ import annotations

from datetime import date, timedelta

from db.pool import Conn
from events import read_models
from events.consumers import catch_up
from events.projections import DailySalesProjection, DemandSignal


async def daily_units(conn: Conn, start: date, end: date) -> list[tuple[int, date, int]]:
    """(watch id, UTC day, units sold) for start <= day < end, from the daily-sales projection that
    demand forecasting learns from; days without a sale are left out."""
    await catch_up(conn, DailySalesProjection())
    rows = await read_models.daily_sales(conn, since=start, until=end - timedelta(days=1))
    return [(row.watch_id, row.day, row.units) for row in rows]


async def demand_signals(conn: Conn) -> dict[int, read_models.DemandSignal]:
    """Per watch id: units sold (paid, not refunded) and when it last sold, for the stock agent."""
    await catch_up(conn, DemandSignal())
    return await read_models.demand_signals(conn)
