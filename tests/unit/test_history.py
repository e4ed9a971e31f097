"""The seeded sales generator."""

from __future__ import annotations

from collections import Counter
from datetime import date

from db.seed.history import generate_sales

TODAY = date(2026, 11, 25)


def test_deterministic_for_a_seed() -> None:
    demand = [("A", 1.0), ("B", 0.1)]
    assert list(generate_sales(demand, days=60, today=TODAY, buyers=5)) == list(
        generate_sales(demand, days=60, today=TODAY, buyers=5))


def test_velocity_follows_the_mean_and_stays_in_the_window() -> None:
    sales = list(generate_sales([("FAST", 2.0), ("SLOW", 0.1)], days=180, today=TODAY, buyers=10))
    units = Counter()
    for s in sales:
        units[s.reference] += s.quantity
        assert (TODAY - s.day).days in range(1, 181)
        assert 0 <= s.buyer < 10
        assert s.quantity in (1, 2)
    assert 250 < units["FAST"] < 470  # about 2/day * 180 days, with the weekly rhythm and trend
    assert units["SLOW"] < 45
