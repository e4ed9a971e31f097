"""The write side never reads the read models: no module of commerce/ names a projection table or
imports the read-model modules (they are fed by events only)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_TABLES = re.compile(r"\b(read_orders|read_order_status_counts|read_daily_orders|read_daily_sales|"
                         r"read_demand_signals|notices)\b")
READ_MODULES = re.compile(r"\bevents\.(read_models|projections)\b|from events import (read_models|projections)")


def test_commerce_never_reads_a_projection() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "commerce").rglob("*.py")
                 if READ_TABLES.search(p.read_text()) or READ_MODULES.search(p.read_text())]
    assert offenders == []


def test_the_pattern_would_catch_one() -> None:
    assert READ_TABLES.search('cur = await conn.execute("SELECT * FROM read_daily_sales")')
    assert READ_MODULES.search("from events import read_models")
