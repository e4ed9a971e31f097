"""Constraints read from shoppers' words, table-driven."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rag.query_parser import parse_query

D = Decimal

CASES: list[tuple[str, dict[str, Any]]] = [
    ("automatic diver under $500", {"max_price": D(500), "movements": ["automatic"], "categories": ["diver"]}),
    ("between 300 and 600", {"min_price": D(300), "max_price": D(600)}),
    ("between $600 and $300", {"min_price": D(300), "max_price": D(600)}),
    ("$300-$600 watch", {"min_price": D(300), "max_price": D(600)}),
    ("over $2000", {"min_price": D(2000)}),
    ("over $2,000 spring drive", {"min_price": D(2000), "movements": ["spring_drive"]}),
    ("under 2k", {"max_price": D(2000)}),
    ("around $500", {"min_price": D(400), "max_price": D(600)}),
    ("less than 450 dollars", {"max_price": D(450)}),
    ("200m", {"min_water_m": 200}),
    ("waterproof to 100 meters", {"min_water_m": 100}),
    ("water resistant 20 bar", {"min_water_m": 200}),
    ("under 38mm", {"max_case_mm": D(38), "max_price": None}),
    ("44mm or larger", {"min_case_mm": D(44)}),
    ("a 40mm dress watch", {"min_case_mm": D(39), "max_case_mm": D(41), "categories": ["dress"]}),
    ("between 38 and 42mm", {"min_case_mm": D(38), "max_case_mm": D(42), "min_price": None}),
    ("solar chronograph", {"movements": ["solar", "gps_solar"], "features": ["chronograph"]}),
    ("GPS", {"movements": ["gps_solar"]}),
    ("a watch that doesn't need a battery", {"movements": ["automatic", "manual", "spring_drive", "solar",
                                                          "gps_solar", "kinetic"]}),
    ("hand-wound dress watch", {"movements": ["manual"], "categories": ["dress"]}),
    ("prospex titanium", {"collections": ["Prospex"], "case_materials": ["titanium"]}),
    ("king seiko with a silver dial", {"collections": ["King Seiko"], "dial_colors": ["silver"]}),
    ("seiko 5 on a nato", {"collections": ["Seiko 5 Sports"], "straps": ["nato"]}),
    ("blue-dial diver on rubber", {"dial_colors": ["blue"], "categories": ["diver"], "straps": ["rubber", "silicone"]}),
    ("gray dial GMT", {"dial_colors": ["grey"], "features": ["gmt"]}),
    ("pilot's watch", {"categories": ["pilot"]}),
    ("something elegant for a wedding", {"categories": ["dress"]}),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_constraints_are_read(query: str, expected: dict[str, Any]) -> None:
    parsed = parse_query(query)
    for key, value in expected.items():
        assert getattr(parsed, key) == value, key


@pytest.mark.parametrize("query", ["under $100 over $500", "over $500 under $100", "under 36mm over 44mm"])
def test_contradictions_are_set_aside_with_a_reason(query: str) -> None:
    parsed = parse_query(query)
    assert parsed.ignored
    assert "cannot both hold" in parsed.ignored[0]["reason"]
    filters = parsed.as_filters()
    assert "min_price" not in filters
    assert "max_price" not in filters
    assert "min_case_mm" not in filters


@pytest.mark.parametrize("query", ["", "   ", "$$$", "under $", "between and", "999999999999999999999mm",
                                   "asdf qwerty", "💎⌚", "under $0", "DROP TABLE watches;--", "%_\\'\""])
def test_nonsense_never_crashes(query: str) -> None:
    parsed = parse_query(query)
    assert isinstance(parsed.as_filters(), dict)
    assert parsed.max_price is None or parsed.max_price > 0


def test_constraint_words_leave_the_wish_as_text() -> None:
    parsed = parse_query("a tough watch for diving under $600")
    assert parsed.text == "a tough watch for diving"
    assert parsed.max_price == 600
    assert "under $600" in parsed.as_filters()["understood"]
