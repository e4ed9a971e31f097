"""Refit the demand forecasts and reset every watch's reorder point from them.

Run at start, on a schedule, and for the watches whose stock ran out or came back since their last
fit (the stock sweep asks `stale`). The fit itself is CPU work in a thread, so the event loop keeps
serving while statsforecast runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from commerce.forecasting import repo
from commerce.forecasting.demand import DemandClass, in_stock_by_day, uncensored
from commerce.forecasting.models import Backtest, Forecast, forecast_demand
from commerce.forecasting.policy import horizon_days, plan
from commerce.forecasting.seasons import deseasonalised, estimate_lifts, horizon_factor
from common.retail_calendar import Season
from db.pool import Conn

K = TypeVar("K", bound=Hashable)
HISTORY_DAYS = 365
# Six windows of four weeks: a slow seller sells a few times a month, and a backtest over fewer days
# would reward a model for forecasting the zeros of a quiet spell.
BACKTEST = Backtest(horizon=28, windows=6)


# (watch id, UTC day, units sold) for start <= day < end. The app hands in the daily-sales read model
# (events/feeds.py): forecasting is a reader of the event log's projection, not of the order tables.
SalesReader = Callable[[Conn, date, date], Awaitable[list[tuple[int, date, int]]]]


async def refresh_forecasts(conn: Conn, *, fill_rates: Mapping[DemandClass, float], cover_days: float,
                            sales: SalesReader, only: set[int] | None = None) -> int:
    """Refit (all active watches, or `only` these) and store forecasts and reorder points; returns how many."""
    today = await repo.today(conn)
    start = today - timedelta(days=HISTORY_DAYS)
    every = await repo.watches(conn)
    watches = [w for w in every if only is None or w["watch_id"] in only]
    if not watches:
        return 0
    sold = await sales(conn, start, today)
    opening = await repo.opening_balances(conn, start=start)
    balances = await repo.ledger_balances(conn, start=start, end=today)
    units, in_stock = _history(every, sold, opening, balances, start_ordinal=start.toordinal())
    days = [start + timedelta(days=n) for n in range(HISTORY_DAYS)]
    # With a subset refitted, the seasons' lifts are still learnt from every watch's history.
    fitted = await asyncio.to_thread(fit_history, days, units, in_stock, backtest=BACKTEST,
                                     fit={w["watch_id"] for w in watches})
    forecasts, censored = fitted.forecasts, fitted.censored_days
    rows, points = [], {}
    for w in watches:
        f = forecasts[w["watch_id"]]
        rows.append(_row(w, f, censored[w["watch_id"]]))
        lead = w["lead_time_days"]
        points[w["watch_id"]] = plan(
            daily_mean=f.daily_mean, daily_sd=f.daily_sd, lead_time_days=lead,
            lead_time_sd_days=w["lead_time_sd_days"], fill_rate=fill_rates[f.profile.demand_class],
            cover_days=cover_days, pack_size=w["pack_size"], min_order=w["min_order_qty"],
            demand_factor=horizon_factor(today, horizon_days(lead, cover_days), fitted.lifts)).reorder_level
    async with conn.transaction():
        await repo.save(conn, rows)
        await repo.save_lifts(conn, {season.value: lift for season, lift in fitted.lifts.items()})
        await repo.set_reorder_points(conn, points)
    return len(rows)


def _history(watches: list[dict[str, Any]], sold: list[tuple[int, date, int]], opening: dict[int, int],
             balances: list[dict[str, Any]], *, start_ordinal: int) -> tuple[dict[int, list[float]],
                                                                            dict[int, list[bool]]]:
    units: dict[int, list[float]] = {w["watch_id"]: [0.0] * HISTORY_DAYS for w in watches}
    for watch_id, day, sold_units in sold:
        if watch_id in units:
            units[watch_id][day.toordinal() - start_ordinal] = float(sold_units)
    moves: dict[int, list[tuple[int, int]]] = {}
    for r in balances:
        moves.setdefault(r["watch_id"], []).append((r["day"].toordinal() - start_ordinal, int(r["balance_after"])))
    in_stock = {w["watch_id"]: in_stock_by_day(opening.get(w["watch_id"], 0), moves.get(w["watch_id"], []),
                                               HISTORY_DAYS) for w in watches}
    return units, in_stock


@dataclass(frozen=True)
class Fitted(Generic[K]):
    forecasts: dict[K, Forecast]
    lifts: dict[Season, float]
    censored_days: dict[K, int]


def fit_history(days: Sequence[date], units: Mapping[K, Sequence[float]], in_stock: Mapping[K, Sequence[bool]],
                *, backtest: Backtest, fit: Collection[K] | None = None) -> Fitted[K]:
    """Learn the seasons' lifts from every series, take them out, drop the censored days, and forecast
    the series in `fit` (all of them by default)."""
    lifts = estimate_lifts(days, units, in_stock)
    series: dict[K, list[float]] = {}
    censored: dict[K, int] = {}
    for key, sold in units.items():
        if fit is not None and key not in fit:
            continue
        observed = uncensored(deseasonalised(days, sold, lifts), in_stock[key])
        series[key], censored[key] = observed.units, observed.censored_days
    return Fitted(forecasts=forecast_demand(series, backtest=backtest), lifts=lifts, censored_days=censored)


def _row(watch: dict[str, Any], f: Forecast, censored_days: int) -> dict[str, Any]:
    return {"watch_id": watch["watch_id"], "model": f.model, "demand_class": f.profile.demand_class.value,
            "adi": f.profile.adi, "cv2": f.profile.cv2, "daily_mean": f.daily_mean, "daily_sd": f.daily_sd,
            "mase": f.mase, "observations": f.observations, "censored_days": censored_days,
            "out_of_stock": watch["available"] == 0}
