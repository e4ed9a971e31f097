"""The AI-spend chart of the ops console, laid out on the server as inline SVG (no chart library).

`build` turns cost rows grouped by model and day into bars stacked per day, one series per model,
with a y axis of round steps; the template only draws what it is given."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from decision_log.models import CostRow

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 96, 16, 16, 60
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
SERIES_COLOURS = 6  # ops.css defines .series-0 .. .series-5; more models reuse them in turn


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    label: str  # the bar's tooltip and accessible name


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass
class SpendChart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_width: int = PLOT_W
    plot_height: int = PLOT_H
    models: list[tuple[str, int, Decimal, int]] = field(default_factory=list)  # name, series, USD, calls
    bars: list[Bar] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    total: Decimal = Decimal(0)
    first_day: date | None = None
    last_day: date | None = None

    @property
    def empty(self) -> bool:
        return not self.models


def usd(value: Decimal | float, *, places: int | None = None) -> str:
    """Dollars with as many decimals as small amounts need (model calls cost fractions of a cent)."""
    amount = float(value)
    if places is None:
        places = 2 if amount == 0 or abs(amount) >= 1 else 4 if abs(amount) >= 0.001 else 6
    return f"${amount:,.{places}f}"


def nice_step(maximum: float, steps: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) so that `steps` of them cover `maximum`."""
    raw = maximum / steps
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)


def build(rows: list[CostRow], *, days: int, today: date) -> SpendChart:
    first = today - timedelta(days=days - 1)
    chart = SpendChart(first_day=first, last_day=today)
    totals: dict[str, tuple[Decimal, int]] = {}
    for row in rows:
        cost, calls = totals.get(row.model or "unknown", (Decimal(0), 0))
        totals[row.model or "unknown"] = (cost + row.cost_usd, calls + row.calls)
    if not totals:
        return chart
    # The costliest model first, so the colours of the main models stay put from day to day.
    ordered = sorted(totals, key=lambda m: (-totals[m][0], m))
    series = {model: i % SERIES_COLOURS for i, model in enumerate(ordered)}
    chart.models = [(m, series[m], *totals[m]) for m in ordered]
    chart.total = sum((t[0] for t in totals.values()), Decimal(0))

    per_day: dict[date, list[CostRow]] = {}
    for row in rows:
        if row.day is not None and first <= row.day <= today:
            per_day.setdefault(row.day, []).append(row)
    day_max = max((float(sum(r.cost_usd for r in day_rows)) for day_rows in per_day.values()), default=0.0)
    step = nice_step(day_max) if day_max > 0 else 0.01
    top = step * max(1, math.ceil(day_max / step))
    places = min(6, max(2, -math.floor(math.log10(step))))  # enough decimals to tell the ticks apart
    chart.y_ticks = [Tick(TOP + PLOT_H - PLOT_H * (i * step) / top, usd(i * step, places=places))
                     for i in range(round(top / step) + 1)]

    slot = PLOT_W / days
    width = max(2.0, slot * 0.7)
    label_every = max(1, math.ceil(days / 10))
    for index in range(days):
        day = first + timedelta(days=index)
        x = LEFT + index * slot + (slot - width) / 2
        if (days - 1 - index) % label_every == 0:  # counted back from today, which is always labelled
            chart.x_ticks.append(Tick(LEFT + index * slot + slot / 2, day.strftime("%b %d")))
        baseline = float(TOP + PLOT_H)
        for row in sorted(per_day.get(day, []), key=lambda r: ordered.index(r.model or "unknown")):
            height = PLOT_H * float(row.cost_usd) / top
            if height <= 0:
                continue
            baseline -= height
            chart.bars.append(Bar(x, baseline, width, height, series[row.model or "unknown"],
                                  f"{day.isoformat()} · {row.model}: {usd(row.cost_usd)} in {row.calls} "
                                  f"call{'s' if row.calls != 1 else ''}"))
    return chart
