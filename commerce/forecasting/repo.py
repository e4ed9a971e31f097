"""SQL for demand forecasting: a year of stock per watch, and the stored forecasts. (Daily sales come from
the event log's projection, handed in by the app.)"""

from __future__ import annotations

from datetime import date
from typing import Any

from db.pool import Conn


async def today(conn: Conn) -> date:
    """The database's date: the one calendar every reorder figure (and `proposed_today`) uses."""
    cur = await conn.execute("SELECT (now() AT TIME ZONE 'UTC')::date AS today")
    row = await cur.fetchone()
    assert row is not None
    day: date = row["today"]
    return day


async def watches(conn: Conn) -> list[dict[str, Any]]:
    """Active watches with their supplier's lead time and today's stock."""
    cur = await conn.execute(
        """SELECT w.id AS watch_id, w.reference, w.pack_size, w.min_order_qty, s.lead_time_days,
                  s.lead_time_sd_days::float8 AS lead_time_sd_days, i.available
           FROM watches w JOIN suppliers s ON s.id = w.supplier_id JOIN inventory i ON i.watch_id = w.id
           WHERE w.active ORDER BY w.id"""
    )
    return await cur.fetchall()


async def opening_balances(conn: Conn, *, start: date) -> dict[int, int]:
    """Each watch's stock at the start of `start` (the last ledger balance before it; 0 if none)."""
    cur = await conn.execute(
        """SELECT DISTINCT ON (watch_id) watch_id, balance_after FROM stock_movements
           WHERE created_at < %(start)s::date AT TIME ZONE 'UTC' ORDER BY watch_id, created_at DESC, id DESC""",
        {"start": start},
    )
    return {int(r["watch_id"]): int(r["balance_after"]) for r in await cur.fetchall()}


async def ledger_balances(conn: Conn, *, start: date, end: date) -> list[dict[str, Any]]:
    """Stock after each movement in [start, end), in ledger order."""
    cur = await conn.execute(
        """SELECT watch_id, (created_at AT TIME ZONE 'UTC')::date AS day, balance_after FROM stock_movements
           WHERE created_at >= %(start)s::date AT TIME ZONE 'UTC' AND created_at < %(end)s::date AT TIME ZONE 'UTC'
           ORDER BY watch_id, created_at, id""",
        {"start": start, "end": end},
    )
    return await cur.fetchall()


async def save(conn: Conn, rows: list[dict[str, Any]]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            """INSERT INTO watch_forecasts (watch_id, computed_at, model, demand_class, adi, cv2, daily_mean, daily_sd,
                                           mase, observations, censored_days, out_of_stock)
               VALUES (%(watch_id)s, now(), %(model)s, %(demand_class)s, %(adi)s, %(cv2)s, %(daily_mean)s,
                       %(daily_sd)s, %(mase)s, %(observations)s, %(censored_days)s, %(out_of_stock)s)
               ON CONFLICT (watch_id) DO UPDATE SET computed_at = now(), model = excluded.model,
                   demand_class = excluded.demand_class, adi = excluded.adi, cv2 = excluded.cv2,
                   daily_mean = excluded.daily_mean, daily_sd = excluded.daily_sd, mase = excluded.mase,
                   observations = excluded.observations, censored_days = excluded.censored_days,
                   out_of_stock = excluded.out_of_stock""",
            rows,
        )


async def set_reorder_points(conn: Conn, points: dict[int, int]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany("UPDATE inventory SET reorder_point = %s WHERE watch_id = %s",
                              [(point, watch_id) for watch_id, point in points.items()])


async def stale(conn: Conn) -> list[int]:
    """Watches whose stock crossed zero since their forecast: running out, or back in stock, changes
    which days are censored. Also watches with no forecast yet."""
    cur = await conn.execute(
        """SELECT w.id FROM watches w JOIN inventory i ON i.watch_id = w.id
           LEFT JOIN watch_forecasts f ON f.watch_id = w.id
           WHERE w.active AND (f.watch_id IS NULL OR f.out_of_stock <> (i.available = 0))
           ORDER BY w.id"""
    )
    return [int(r["id"]) for r in await cur.fetchall()]


async def save_lifts(conn: Conn, lifts: dict[str, float]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            """INSERT INTO seasonal_lifts (season, lift, computed_at) VALUES (%s, %s, now())
               ON CONFLICT (season) DO UPDATE SET lift = excluded.lift, computed_at = now()""",
            list(lifts.items()))


async def lifts(conn: Conn) -> dict[str, float]:
    cur = await conn.execute("SELECT season, lift FROM seasonal_lifts")
    return {r["season"]: float(r["lift"]) for r in await cur.fetchall()}
