"""The spend chart's layout: round axis steps, bars stacked per day, every model in the legend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from api.spend_chart import PLOT_H, TOP, build, nice_step, usd
from decision_log.models import CostRow

TODAY = date(2026, 11, 25)


def row(model: str, day: date, cost: str, calls: int = 1) -> CostRow:
    return CostRow(model=model, day=day, calls=calls, input_tokens=0, output_tokens=0, cache_write_tokens=0,
                   cache_read_tokens=0, cost_usd=Decimal(cost), unpriced_calls=0)


def test_steps_are_round_and_cover_the_maximum() -> None:
    assert nice_step(0.9) == 0.5
    assert nice_step(3.7) == 1
    assert nice_step(0.014) == 0.005
    assert nice_step(180) == 50


def test_small_amounts_keep_their_cents_fractions() -> None:
    assert usd(Decimal("0.0148")) == "$0.0148"
    assert usd(Decimal("12.5")) == "$12.50"
    assert usd(Decimal(0)) == "$0.00"
    assert usd(Decimal("0.00004")) == "$0.000040"


def test_bars_stack_per_day_and_the_costliest_model_comes_first() -> None:
    rows = [row("haiku", TODAY, "0.50", 4), row("sonnet", TODAY, "1.50", 2), row("sonnet", date(2026, 11, 20), "1.00"),
            row("offline-policy", TODAY, "0", 3), row("sonnet", date(2026, 10, 1), "9.00")]
    chart = build(rows, days=7, today=TODAY)
    assert [(m[0], m[1]) for m in chart.models] == [("sonnet", 0), ("haiku", 1), ("offline-policy", 2)]
    assert [t.label for t in chart.y_ticks] == ["$0.00", "$0.50", "$1.00", "$1.50", "$2.00"]
    assert len(chart.bars) == 3, "a model that cost nothing draws no bar; days outside the window none"
    today_bars = [b for b in chart.bars if "2026-11-25" in b.label]
    assert [b.series for b in today_bars] == [0, 1]
    assert abs(sum(b.height for b in today_bars) - PLOT_H) < 0.01, "the tallest day fills the plot"
    assert today_bars[1].y + today_bars[1].height == today_bars[0].y, "stacked, not overlapping"
    assert today_bars[0].y + today_bars[0].height == TOP + PLOT_H
    assert chart.x_ticks[0].label == "Nov 19" and chart.x_ticks[-1].label == "Nov 25"
    assert "sonnet: $1.50 in 2 calls" in today_bars[0].label


def test_no_calls_is_an_empty_chart() -> None:
    chart = build([], days=14, today=TODAY)
    assert chart.empty and not chart.bars
