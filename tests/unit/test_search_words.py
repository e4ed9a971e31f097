"""Vague words, currencies, chips and near-miss wording, read without a database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rag.query_parser import parse_query
from rag.ranking import price_percentile, size_fit, soft_score
from rag.relax import is_near, misses

D = Decimal
RATES = {"EUR": D("1.10"), "GBP": D("1.25"), "JPY": D("0.0070")}


def watch(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"price": D("320.00"), "water_resistance_m": 100, "case_diameter_mm": 42.0,
                            "movement": "automatic", "collection": "Prospex", "category": "diver",
                            "strap": "bracelet", "dial_color": "black", "case_material": "stainless steel",
                            "features": ["date"]}
    return {**base, **values}


@pytest.mark.parametrize(("query", "direction", "strength"), [
    ("cheap automatic watch", "low", 2), ("cheapest Prospex", "low", 2), ("affordable diver", "low", 1),
    ("budget chronograph", "low", 1), ("best value GMT", "low", 1), ("luxury dress watch", "high", 1),
    ("high-end diver", "high", 1), ("a watch for my teenage son", "low", 1),
])
def test_price_words_are_soft_preferences(query: str, direction: str, strength: int) -> None:
    parsed = parse_query(query)
    assert (parsed.preferences.price, parsed.preferences.price_strength) == (direction, strength)
    assert parsed.min_price is None and parsed.max_price is None, "a preference, never a filter"


@pytest.mark.parametrize(("query", "size"), [
    ("watch for a small wrist", "small"), ("slim dress watch", "small"), ("women's dress watch", "small"),
    ("big oversized diver", "large"), ("large chronograph", "large"),
])
def test_size_words_are_soft_preferences(query: str, size: str) -> None:
    parsed = parse_query(query)
    assert parsed.preferences.size == size
    assert parsed.min_case_mm is None and parsed.max_case_mm is None


def test_famous_models_become_their_attributes() -> None:
    sub = parse_query("like a Rolex Submariner but affordable")
    assert sub.preferences.price == "low"
    [style] = sub.preferences.styles
    assert style.categories == ("diver",) and "black" in style.dial_colors
    assert "Rolex Submariner" in sub.as_filters()["understood"]
    assert "Submariner" not in sub.text and "dive" in sub.text, "the semantic side reads what it stands for"
    pepsi = parse_query("like a Rolex GMT-Master Pepsi")
    assert pepsi.preferences.styles[0].dial_colors == ("blue", "black")
    assert not parse_query("like a Speedmaster").has_constraints, "famous models rank, they do not filter"


def test_audience_words_lean_towards_fitting_watches() -> None:
    women = parse_query("a nice watch for my wife")
    assert any("Seiko Lukia" in s.collections for s in women.preferences.styles)
    traveller = parse_query("a watch for a frequent traveller")
    assert any("gmt" in s.features for s in traveller.preferences.styles)


def test_soft_score_follows_the_catalog_price_distribution() -> None:
    quantiles = [D(p) for p in (150, 295, 450, 700, 1400, 3300, 6000)]
    cheap = parse_query("cheap watch").preferences
    assert soft_score(watch(price=D("150")), cheap, quantiles) > soft_score(watch(price=D("3300")), cheap, quantiles)
    luxury = parse_query("luxury watch").preferences
    assert soft_score(watch(price=D("6000")), luxury, quantiles) > soft_score(watch(price=D("295")), luxury, quantiles)
    assert price_percentile(D("150"), quantiles) == 0.0
    assert size_fit(37.0, "small") == 1.0 and size_fit(45.0, "small") == 0.0 and size_fit(45.0, "large") == 1.0


@pytest.mark.parametrize(("query", "max_price", "currency"), [
    ("diver under 400 euros", D("440.00"), "EUR"), ("automatic watch under £300", D("375.00"), "GBP"),
    ("dress watch under 60000 yen", D("420.00"), "JPY"), ("GMT under 1500 EUR", D("1650.00"), "EUR"),
    ("under €1,000", D("1100.00"), "EUR"), ("under ¥100000", D("700.00"), "JPY"),
])
def test_other_currencies_are_converted_at_the_configured_rate(query: str, max_price: Decimal,
                                                              currency: str) -> None:
    parsed = parse_query(query, rates=RATES)
    assert parsed.max_price == max_price
    assert parsed.as_filters()["currency"] == [f"prices are in USD; {currency} converted at {RATES[currency]} "
                                               f"USD per {currency}"]


def test_a_currency_without_a_rate_is_read_as_usd_and_says_so() -> None:
    parsed = parse_query("diver under 400 euros")  # no rates configured
    assert parsed.max_price == D("400.00")
    assert parsed.as_filters()["currency"] == ["prices are in USD; amounts in EUR were read as USD"]
    assert "currency" not in parse_query("diver under $400", rates=RATES).as_filters()


@pytest.mark.parametrize(("query", "chips"), [
    ("dress watch", ["dress watch"]), ("dive watch", ["dive watch"]), ("Dress watch, dress", ["Dress watch"]),
    ("automatic dress watch under $350", ["under $350", "automatic", "dress watch"]),
])
def test_chips_do_not_repeat(query: str, chips: list[str]) -> None:
    assert parse_query(query).as_filters()["understood"] == chips


def test_negated_words_are_not_wishes() -> None:
    parsed = parse_query("a watch I wind by hand myself, not a self-winding one")
    assert parsed.movements == ["manual"]


def test_near_misses_say_what_they_miss_and_by_how_much() -> None:
    q = parse_query("diver 200m under $300")
    found = misses(watch(price=D("320.00"), water_resistance_m=100), q)
    assert [m.detail for m in found] == ["$320, over your $300", "100 m, not 200 m"]
    assert [m.chip for m in found] == ["under $300", "200 m"]
    assert is_near(found)
    assert misses(watch(price=D("295.00"), water_resistance_m=200), q) == []
    dress = misses(watch(case_diameter_mm=40.5, category="dress"), parse_query("diver 38mm on a bracelet"))
    assert [m.detail for m in dress] == ["40.5 mm, over 39 mm", "dress, not diver"]
    too_far = misses(watch(category="dress", strap="leather", dial_color="white"),
                     parse_query("black dial diver on a bracelet under $100"))
    assert not is_near(too_far), "breaking four constraints is not near"
