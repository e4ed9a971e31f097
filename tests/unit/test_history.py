"""The seeded year of trade: deterministic, shaped like a watch shop, with honest stockouts."""

from __future__ import annotations

from collections import Counter
from datetime import date

from commerce.forecasting.demand import DemandClass, classify, in_stock_by_day, uncensored
from common.retail_calendar import fathers_day
from db.seed.history import HistoryWatch, generate_history, patterns, season_factor

TODAY = date(2026, 11, 25)


def watch(reference: str, mean: float, pattern: str, *, limited: bool = False) -> HistoryWatch:
    return HistoryWatch(reference=reference, daily_mean=mean, pattern=pattern, limited_edition=limited,
                        lead_time_days=28, lead_time_sd_days=7.0, pack_size=6)


SHOP = [watch("SMOOTH", 2.0, "smooth"), watch("ERRATIC", 1.5, "erratic"), watch("INTER", 0.2, "intermittent"),
        watch("LUMPY", 0.2, "lumpy"), watch("LIMITED", 0.3, "intermittent", limited=True)]


def test_deterministic_for_a_seed() -> None:
    a = generate_history(SHOP, days=120, today=TODAY, buyers=5)
    b = generate_history(SHOP, days=120, today=TODAY, buyers=5)
    assert a.sales == b.sales and a.movements == b.movements
    assert generate_history(SHOP, days=120, today=TODAY, buyers=5, seed=1).sales != a.sales


def test_patterns_rule() -> None:
    kinds = patterns([("A", 2.0), ("B", 1.5), ("C", 1.0), ("D", 0.5), ("E", 0.1), ("F", 0.05)])
    assert kinds == {"A": "smooth", "B": "smooth", "C": "erratic", "D": "intermittent", "E": "intermittent",
                     "F": "lumpy"}


def test_seasons() -> None:
    assert fathers_day(2026) == date(2026, 6, 21) and fathers_day(2025) == date(2025, 6, 15)
    assert season_factor(date(2026, 12, 10)) == 1.7 and season_factor(date(2026, 12, 26)) == 1.0
    assert season_factor(date(2026, 6, 15)) == 1.4 and season_factor(date(2026, 6, 22)) == 1.0


def test_the_ledger_adds_up_and_no_sale_happens_without_stock() -> None:
    history = generate_history(SHOP, days=365, today=TODAY, buyers=10)
    for w in SHOP:
        balance = 0
        for m in (m for m in history.movements if m.reference == w.reference):
            balance += m.delta
            assert m.balance_after == balance >= 0
        assert balance == history.closing_stock[w.reference]
    for s in history.sales:
        assert (TODAY - s.day).days in range(1, 366) and 0 <= s.buyer < 10 and s.quantity in (1, 2)


def test_limited_editions_sell_out_and_stay_out() -> None:
    history = generate_history(SHOP, days=365, today=TODAY, buyers=10)
    limited = [m for m in history.movements if m.reference == "LIMITED"]
    assert not any(m.kind == "restock" for m in limited)
    assert history.closing_stock["LIMITED"] == 0 and history.lost_units["LIMITED"] > 0


def test_the_year_looks_like_the_classes_it_was_drawn_from() -> None:
    history = generate_history(SHOP, days=365, today=TODAY, buyers=10)
    start = TODAY.toordinal() - 365
    for w, expected in (("SMOOTH", DemandClass.smooth), ("INTER", DemandClass.intermittent),
                        ("LUMPY", DemandClass.lumpy)):
        units = Counter[int]()
        for s in history.sales:
            if s.reference == w:
                units[s.day.toordinal() - start] += s.quantity
        moves = [(m.at.date().toordinal() - start, m.balance_after) for m in history.movements
                 if m.reference == w and m.kind != "seed"]
        opening = next(m.balance_after for m in history.movements if m.reference == w and m.kind == "seed")
        observed = uncensored([units[d] for d in range(365)], in_stock_by_day(opening, moves, 365))
        assert classify(observed.units).demand_class is expected, w
    assert sum(history.lost_units.values()) > 0, "some demand met an empty shelf"
