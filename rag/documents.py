"""The text that stands for a watch or a review in the vector index, and its content hash."""

from __future__ import annotations

import hashlib
from typing import Any


def watch_text(w: dict[str, Any]) -> str:
    features = ", ".join(f.replace("_", " ") for f in w["features"]) or "none"
    return (
        f"{w['name']} ({w['reference']}). {w['collection']} {w['category']} watch with a {w['dial_color']} dial, "
        f"{w['movement'].replace('_', ' ')} movement (caliber {w['caliber']}), {w['case_diameter_mm']:g} mm "
        f"{w['case_material']} case, {w['water_resistance_m']} m water resistance, {w['crystal'].replace('_', ' ')} "
        f"crystal, on a {w['strap']}. Features: {features}. {w['description']}"
    )


def review_text(r: dict[str, Any]) -> str:
    return f"{r['title']}. {r['body']}"


def content_hash(model: str, text: str) -> str:
    """Changes when the text or the model does, so only those rows are embedded again."""
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()
