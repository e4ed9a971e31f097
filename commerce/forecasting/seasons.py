"""How much the gift seasons lift demand, learnt from the sales history, and what that means for the
days an order must serve.

A season's lift is pooled over every watch: units sold per in-stock day inside the season over units
per in-stock day outside it. One watch sells too few units in three weeks of December to say much on
its own; the shop as a whole does. A season with too little evidence keeps a lift of 1.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from datetime import date, timedelta
from statistics import fmean
from typing import TypeVar

from common.retail_calendar import Season, season_of

K = TypeVar("K", bound=Hashable)
MIN_SEASON_DAYS = 60  # in-stock watch-days inside a season before its lift is believed
LIFT_BOUNDS = (1 / 3, 3.0)


def estimate_lifts(days: Sequence[date], units: Mapping[K, Sequence[float]],
                   in_stock: Mapping[K, Sequence[bool]]) -> dict[Season, float]:
    totals: dict[Season | None, list[float]] = {}
    for key, series in units.items():
        for day, sold, ok in zip(days, series, in_stock[key], strict=True):
            if ok:
                bucket = totals.setdefault(season_of(day), [0.0, 0.0])
                bucket[0] += sold
                bucket[1] += 1
    base_units, base_days = totals.get(None, [0.0, 0.0])
    lifts = {}
    for season in Season:
        sold, seen = totals.get(season, [0.0, 0.0])
        if seen < MIN_SEASON_DAYS or base_units <= 0 or base_days <= 0:
            lifts[season] = 1.0
            continue
        ratio = (sold / seen) / (base_units / base_days)
        lifts[season] = round(min(max(ratio, LIFT_BOUNDS[0]), LIFT_BOUNDS[1]), 3)
    return lifts


def deseasonalised(days: Sequence[date], series: Sequence[float], lifts: Mapping[Season, float]) -> list[float]:
    """Units as they would have been without the seasons, so a level model does not carry December
    into January."""
    out = []
    for day, sold in zip(days, series, strict=True):
        season = season_of(day)
        out.append(sold / lifts[season] if season else float(sold))
    return out


def horizon_factor(start: date, days: int, lifts: Mapping[Season, float]) -> float:
    """The mean lift over the `days` from `start`: how much more than a plain day those days sell."""
    if days <= 0:
        return 1.0
    factors = []
    for offset in range(days):
        season = season_of(start + timedelta(days=offset))
        factors.append(lifts.get(season, 1.0) if season else 1.0)
    return fmean(factors)
