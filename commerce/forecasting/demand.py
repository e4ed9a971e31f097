"""What kind of seller a watch is, and which of its days say something about demand.

Syntetos-Boylan classification (2005) splits demand by two numbers of its non-zero days:

    ADI = days observed / days with a sale          (average inter-demand interval)
    CV2 = (sd / mean of the non-zero quantities)^2  (squared coefficient of variation of sizes)

    smooth        ADI < 1.32 and CV2 < 0.49
    erratic       ADI < 1.32 and CV2 >= 0.49
    intermittent  ADI >= 1.32 and CV2 < 0.49
    lumpy         ADI >= 1.32 and CV2 >= 0.49

Sales on a day the watch was out of stock are not demand: they are zero because stock was. Those
days are *censored* and left out of the series a forecast is fitted to, instead of counted as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import fmean, pstdev

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49


class DemandClass(StrEnum):
    smooth = "smooth"
    erratic = "erratic"
    intermittent = "intermittent"
    lumpy = "lumpy"


@dataclass(frozen=True)
class DemandProfile:
    demand_class: DemandClass
    adi: float | None  # None when nothing sold: no interval to speak of
    cv2: float


def classify(units: Sequence[float]) -> DemandProfile:
    """Classify a series of daily units (censored days already removed). A watch that never sold
    is intermittent: its next sale is a rare event, which is what the intermittent models expect."""
    sizes = [u for u in units if u > 0]
    if not sizes:
        return DemandProfile(DemandClass.intermittent, adi=None, cv2=0.0)
    adi = len(units) / len(sizes)
    mean = fmean(sizes)
    cv2 = (pstdev(sizes) / mean) ** 2 if len(sizes) > 1 else 0.0
    frequent, steady = adi < ADI_CUTOFF, cv2 < CV2_CUTOFF
    demand_class = (DemandClass.smooth if frequent and steady else DemandClass.erratic if frequent
                    else DemandClass.intermittent if steady else DemandClass.lumpy)
    return DemandProfile(demand_class, adi=round(adi, 3), cv2=round(cv2, 3))


@dataclass(frozen=True)
class Observed:
    """The days a forecast may learn from, and how many were left out."""

    units: list[float]
    censored_days: int


def uncensored(units: Sequence[float], in_stock: Sequence[bool]) -> Observed:
    """Drop the days the watch could not be bought (see `in_stock_by_day`)."""
    if len(units) != len(in_stock):
        raise ValueError("one stock flag per day is needed")
    kept = [float(u) for u, ok in zip(units, in_stock, strict=True) if ok]
    return Observed(units=kept, censored_days=len(units) - len(kept))


def in_stock_by_day(opening: int, balances: Sequence[tuple[int, int]], days: int) -> list[bool]:
    """Whether a watch could be bought when each of `days` days began.

    `opening` is the stock before the first day; `balances` are (day index, stock after a movement)
    in ledger order. A day that opened with nothing on the shelf is censored. A day that opened with
    stock and sold out counts: its sales are a lower bound of its demand, and dropping it would drop
    exactly the busiest days, biasing the forecast low."""
    flags = [True] * days
    by_day: dict[int, list[int]] = {}
    for day, balance in balances:
        by_day.setdefault(day, []).append(balance)
    stock = opening
    for day in range(days):
        flags[day] = stock > 0
        moves = by_day.get(day, [])
        if moves:
            stock = moves[-1]
    return flags
