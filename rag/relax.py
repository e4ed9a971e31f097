"""Near misses: when the stated constraints leave fewer watches than a page, the closest watches
that break one or two of them, each saying which constraint it misses and by how much."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rag.query_parser import ParsedQuery

MAX_MISSED = 2  # a watch that breaks more of what was asked is not "near"


@dataclass(frozen=True)
class Miss:
    constraint: str  # price, water_resistance, case_size, movement, collection, category, dial, case, strap, features
    chip: str  # the relaxed constraint as the shopper wrote it ("under $300")
    detail: str  # by how much, in the shopper's terms ("$320, over your $300")
    cost: float  # how far off, in units of the constraint (0.1 = 10 % over a price)


def _money(value: Decimal) -> str:
    return f"${value:,.0f}" if value == value.to_integral() else f"${value:,.2f}"


def _label(value: str) -> str:
    return value.replace("_", " ")


def misses(watch: dict[str, Any], q: ParsedQuery) -> list[Miss]:
    """Every stated constraint this watch breaks; empty when it meets them all."""
    out: list[Miss] = []
    price = Decimal(watch["price"])
    if q.max_price is not None and price > q.max_price:
        out.append(Miss("price", f"under {_money(q.max_price)}", f"{_money(price)}, over your {_money(q.max_price)}",
                        float((price - q.max_price) / q.max_price)))
    if q.min_price is not None and price < q.min_price:
        out.append(Miss("price", f"over {_money(q.min_price)}", f"{_money(price)}, under your {_money(q.min_price)}",
                        float((q.min_price - price) / q.min_price)))
    water = int(watch["water_resistance_m"])
    if q.min_water_m is not None and water < q.min_water_m:
        out.append(Miss("water_resistance", f"{q.min_water_m} m", f"{water} m, not {q.min_water_m} m",
                        (q.min_water_m - water) / q.min_water_m))
    size = Decimal(str(watch["case_diameter_mm"]))
    if q.max_case_mm is not None and size > q.max_case_mm:
        out.append(Miss("case_size", f"up to {q.max_case_mm:g} mm", f"{size:g} mm, over {q.max_case_mm:g} mm",
                        float(size - q.max_case_mm) / 4))
    if q.min_case_mm is not None and size < q.min_case_mm:
        out.append(Miss("case_size", f"at least {q.min_case_mm:g} mm", f"{size:g} mm, under {q.min_case_mm:g} mm",
                        float(q.min_case_mm - size) / 4))
    for name, wanted, actual in (("movement", q.movements, watch["movement"]),
                                 ("collection", q.collections, watch["collection"]),
                                 ("category", q.categories, watch["category"]),
                                 ("strap", q.straps, watch["strap"])):
        if wanted and actual not in wanted:
            asked = " or ".join(_label(w) for w in wanted[:2])
            out.append(Miss(name, asked, f"{_label(actual)}, not {asked}", 1.0))
    if q.dial_colors and not any(c in watch["dial_color"].lower() for c in q.dial_colors):
        asked = " or ".join(q.dial_colors)
        out.append(Miss("dial", f"{asked} dial", f"{watch['dial_color']} dial, not {asked}", 1.0))
    if q.case_materials and not any(m in watch["case_material"].lower() for m in q.case_materials):
        asked = " or ".join(q.case_materials)
        out.append(Miss("case", asked, f"{watch['case_material']} case, not {asked}", 1.0))
    if q.features:
        features = set(watch["features"]) | ({"chronograph"} if watch["category"] == "chronograph" else set())
        lacking = [f for f in q.features if f not in features]
        if lacking:
            names = ", ".join(_label(f) for f in lacking)
            out.append(Miss("features", names, f"no {names}", float(len(lacking))))
    return out


def is_near(found: list[Miss]) -> bool:
    return 0 < len(found) <= MAX_MISSED


def cost(found: list[Miss]) -> float:
    return sum(m.cost for m in found)
