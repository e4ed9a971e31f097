"""Ranking features: how well a watch meets the soft preferences read from vague words, and the
fusion of semantic, review and lexical scores into one relevance."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rag.vague import LARGE_MM, SMALL_MM, Preferences, Style


@dataclass(frozen=True)
class Weights:
    """Fusion weights. Scores are normalised to [0, 1] over the candidates before weighting, so a
    weight is a share of the final score. Reviews count below the watch's own specifications."""

    vector: float = 1.0
    review: float = 0.35
    lexical: float = 0.6
    soft: float = 0.6  # soft preferences, per unit of their mean score
    strong_price: float = 2.0  # "cheapest": price all but decides the order


HYBRID = Weights()
VECTOR_ONLY = Weights(lexical=0.0)
LEXICAL_ONLY = Weights(vector=0.0, review=0.0)


def price_percentile(price: Decimal, quantiles: list[Decimal]) -> float:
    """Where a price sits in the catalog (0 = cheapest, 1 = dearest), from its quantiles."""
    if not quantiles:
        return 0.5
    return bisect_left(quantiles, price) / len(quantiles)


def _style_share(watch: dict[str, Any], style: Style) -> float:
    checks: list[bool] = []
    if style.categories:
        checks.append(watch["category"] in style.categories)
    if style.dial_colors:
        checks.append(any(c in watch["dial_color"].lower() for c in style.dial_colors))
    if style.straps:
        checks.append(watch["strap"] in style.straps)
    if style.features:
        checks.append(any(f in watch["features"] for f in style.features))
    if style.collections:
        checks.append(watch["collection"] in style.collections)
    if style.materials:
        checks.append(any(m in watch["case_material"].lower() for m in style.materials))
    return sum(checks) / len(checks) if checks else 0.0


def size_fit(size_mm: float, wish: str) -> float:
    """1 inside the wished size band, falling to 0 two millimetres outside it (a millimetre shows)."""
    if wish == "small":
        return 1.0 if size_mm <= SMALL_MM else max(0.0, 1 - (size_mm - SMALL_MM) / 2)
    return 1.0 if size_mm >= LARGE_MM else max(0.0, 1 - (LARGE_MM - size_mm) / 2)


def soft_score(watch: dict[str, Any], prefs: Preferences, quantiles: list[Decimal]) -> float:
    """Mean fit to the soft preferences, 0 to 1 (0 when there are none)."""
    parts: list[float] = []
    if prefs.price:
        pct = price_percentile(Decimal(watch["price"]), quantiles)
        parts.append(1 - pct if prefs.price == "low" else pct)
    if prefs.size:
        parts.append(size_fit(float(watch["case_diameter_mm"]), prefs.size))
    parts.extend(_style_share(watch, style) for style in prefs.styles)
    return sum(parts) / len(parts) if parts else 0.0


def normalise(values: dict[int, float]) -> dict[int, float]:
    """Min-max over the candidates: the best gets 1, the worst 0 (all 1 when they tie)."""
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high - low < 1e-9:
        return dict.fromkeys(values, 1.0)
    return {k: (v - low) / (high - low) for k, v in values.items()}
