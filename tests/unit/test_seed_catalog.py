"""The seed catalog is a credible, internally consistent Seiko range."""

from __future__ import annotations

import re
from decimal import Decimal

from db.seed.catalog import SUPPLIERS, WATCHES, SeedWatch

CATEGORIES = {"diver", "dress", "field", "pilot", "chronograph", "sports", "casual"}
MOVEMENTS = {"automatic", "manual", "quartz", "solar", "kinetic", "spring_drive", "gps_solar"}
COLLECTIONS = {
    "Seiko 5 Sports", "Prospex", "Presage", "Astron", "King Seiko", "Essentials", "Classic", "Seiko Lukia",
    "Grand Seiko",
}
CRYSTALS = {"sapphire", "hardlex", "hardlex_curved", "box_sapphire", "acrylic"}
STRAPS = {"bracelet", "leather", "rubber", "nato", "silicone", "fabric"}
FEATURES = {
    "date", "day_date", "chronograph", "gmt", "world_time", "power_reserve_indicator", "perpetual_calendar",
    "rotating_bezel", "screw_down_crown", "lumibrite", "alarm", "dual_time", "sapphire_caseback", "hacking",
    "hand_winding",
}
REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
CENT = Decimal("0.01")


def _lead_time(watch: SeedWatch) -> int:
    return next(s.lead_time_days for s in SUPPLIERS if s.code == watch.supplier_code)


def test_catalog_is_large_and_references_unique() -> None:
    assert len(WATCHES) >= 30
    references = [w.reference for w in WATCHES]
    assert len(set(references)) == len(references)
    assert all(REFERENCE.match(r) for r in references)


def test_every_core_movement_category_and_collection_is_present() -> None:
    movements = {w.movement for w in WATCHES}
    categories = {w.category for w in WATCHES}
    collections = {w.collection for w in WATCHES}
    assert {"automatic", "quartz", "solar", "spring_drive", "gps_solar"} <= movements
    assert {"diver", "dress", "field", "pilot", "chronograph"} <= categories
    assert {"Seiko 5 Sports", "Prospex", "Presage", "Astron", "King Seiko"} <= collections


def test_values_are_within_the_allowed_vocabularies() -> None:
    for w in WATCHES:
        assert w.category in CATEGORIES, w.reference
        assert w.movement in MOVEMENTS, w.reference
        assert w.collection in COLLECTIONS, w.reference
        assert w.crystal in CRYSTALS, w.reference
        assert w.strap in STRAPS, w.reference
        assert set(w.features) <= FEATURES, w.reference
        assert len(set(w.features)) == len(w.features), w.reference
        assert w.dial_color == w.dial_color.lower() and w.dial_color.strip(), w.reference
        assert 0 < len(w.name) <= 200 and w.caliber and w.case_material, w.reference
        assert w.water_resistance_m in {30, 50, 100, 200, 300, 600, 1000}, w.reference
        assert len(w.description.split(". ")) >= 2, w.reference


def test_case_sizes_and_prices_span_the_range() -> None:
    sizes = [w.case_diameter_mm for w in WATCHES]
    prices = [w.price for w in WATCHES]
    assert min(sizes) <= Decimal("35") and max(sizes) >= Decimal("44")
    assert min(prices) <= Decimal("200") and max(prices) >= Decimal("2000")
    for w in WATCHES:
        assert isinstance(w.case_diameter_mm, Decimal)
        assert w.case_diameter_mm == w.case_diameter_mm.quantize(Decimal("0.1")), w.reference


def test_reviews_are_plausible() -> None:
    ratings: list[int] = []
    for w in WATCHES:
        assert 2 <= len(w.reviews) <= 5, w.reference
        for r in w.reviews:
            assert 1 <= r.rating <= 5, w.reference
            assert r.author and r.title and r.body, w.reference
            ratings.append(r.rating)
    assert {2, 3, 4, 5} <= set(ratings), "reviews should not all be glowing"


def test_sourcing_is_consistent() -> None:
    codes = {s.code for s in SUPPLIERS}
    assert 3 <= len(SUPPLIERS) <= 4 and len(codes) == len(SUPPLIERS)
    assert all(14 <= s.lead_time_days <= 60 for s in SUPPLIERS)
    for w in WATCHES:
        assert w.supplier_code in codes, w.reference
        assert w.pack_size in {1, 2, 3, 5, 6}, w.reference
        assert w.min_order_qty >= w.pack_size and w.min_order_qty % w.pack_size == 0, w.reference
        for money in (w.price, w.unit_cost):
            assert isinstance(money, Decimal)
            assert money.as_tuple().exponent == -2 and money == money.quantize(CENT), w.reference
        assert Decimal("0") < w.unit_cost < w.price, w.reference
        assert Decimal("0.45") <= w.unit_cost / w.price <= Decimal("0.60"), w.reference
        assert w.daily_demand > 0 and w.initial_stock >= 0, w.reference


def test_some_watches_start_low_or_out_of_stock() -> None:
    low = [w for w in WATCHES if w.initial_stock <= w.daily_demand * _lead_time(w)]
    assert len(low) >= 3
    assert any(w.initial_stock == 0 for w in WATCHES)
    comfortable = [w for w in WATCHES if w.initial_stock > w.daily_demand * _lead_time(w)]
    assert len(comfortable) > len(WATCHES) / 2


def test_cheap_watches_sell_faster_than_expensive_ones() -> None:
    cheap = [w.daily_demand for w in WATCHES if w.price < Decimal("500")]
    dear = [w.daily_demand for w in WATCHES if w.price >= Decimal("2000")]
    assert cheap and dear
    assert min(cheap) > max(dear)
