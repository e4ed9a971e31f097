"""Refit the demand forecasts and reset every watch's reorder point from them.

Run at start, on a schedule, and for the watches whose stock ran out or came back since their last
fit (the stock sweep asks `stale`). The fit itself is CPU work in a thread, so the event loop keeps
serving while statsforecast runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from commerce.forecasting import repo
from commerce.forecasting.demand import DemandClass, in_stock_by_day, uncensored
from commerce.forecasting.models import Backtest, Forecast, forecast_demand
from commerce.forecasting.policy import plan
from db.pool import Conn

HISTORY_DAYS = 365
BACKTEST = Backtest(horizon=14, windows=4)


async def refresh_forecasts(conn: Conn, *, fill_rates: Mapping[DemandClass, float], cover_days: float,
                            only: set[int] | None = None) -> int:
    """Refit (all active watches, or `only` these) and store forecasts and reorder points; returns how many."""
    today = await repo.today(conn)
    start = today - timedelta(days=HISTORY_DAYS)
    watches = [w for w in await repo.watches(conn) if only is None or w["watch_id"] in only]
    if not watches:
        return 0
    sold = await repo.daily_units(conn, start=start, end=today)
    opening = await repo.opening_balances(conn, start=start)
    balances = await repo.ledger_balances(conn, start=start, end=today)
    series, censored = _series(watches, sold, opening, balances, start_ordinal=start.toordinal())
    forecasts = await asyncio.to_thread(forecast_demand, series, backtest=BACKTEST)
    rows, points = [], {}
    for w in watches:
        f = forecasts[w["watch_id"]]
        rows.append(_row(w, f, censored[w["watch_id"]]))
        points[w["watch_id"]] = plan(
            daily_mean=f.daily_mean, daily_sd=f.daily_sd, lead_time_days=w["lead_time_days"],
            lead_time_sd_days=w["lead_time_sd_days"], fill_rate=fill_rates[f.profile.demand_class],
            cover_days=cover_days, pack_size=w["pack_size"], min_order=w["min_order_qty"]).reorder_level
    async with conn.transaction():
        await repo.save(conn, rows)
        await repo.set_reorder_points(conn, points)
    return len(rows)


def _series(watches: list[dict[str, Any]], sold: list[dict[str, Any]], opening: dict[int, int],
            balances: list[dict[str, Any]], *, start_ordinal: int) -> tuple[dict[Any, list[float]], dict[int, int]]:
    units: dict[int, list[float]] = {w["watch_id"]: [0.0] * HISTORY_DAYS for w in watches}
    for r in sold:
        if r["watch_id"] in units:
            units[r["watch_id"]][r["day"].toordinal() - start_ordinal] = float(r["units"])
    moves: dict[int, list[tuple[int, int]]] = {}
    for r in balances:
        moves.setdefault(r["watch_id"], []).append((r["day"].toordinal() - start_ordinal, int(r["balance_after"])))
    series: dict[Any, list[float]] = {}
    censored: dict[int, int] = {}
    for w in watches:
        wid = w["watch_id"]
        flags = in_stock_by_day(opening.get(wid, 0), moves.get(wid, []), HISTORY_DAYS)
        observed = uncensored(units[wid], flags)
        series[wid] = observed.units
        censored[wid] = observed.censored_days
    return series, censored


def _row(watch: dict[str, Any], f: Forecast, censored_days: int) -> dict[str, Any]:
    return {"watch_id": watch["watch_id"], "model": f.model, "demand_class": f.profile.demand_class.value,
            "adi": f.profile.adi, "cv2": f.profile.cv2, "daily_mean": f.daily_mean, "daily_sd": f.daily_sd,
            "mase": f.mase, "observations": f.observations, "censored_days": censored_days,
            "out_of_stock": watch["available"] == 0}
