"""A seeded generator of a year of a watch shop's trade: sales, deliveries and stockouts.

Each watch is one of four kinds of seller (the Syntetos-Boylan classes forecasting tells apart):

- smooth: sells most days, Poisson around its daily mean (watches with a mean of at least one a
  day, except every third of them, which is erratic);
- erratic: sells most days, but the day's rate is itself random (a gamma with mean 1 and variance
  2 multiplies it), so quantities swing;
- intermittent: a sale of one (sometimes two) on a few days, zero on the rest (means below one a
  day, except every third of them, which is lumpy);
- lumpy: rare days that sell one, or a batch of three to eight at once (a corporate gift, a collector).

On top: a weekly rhythm (weekends sell more), a gentle upward trend, December gift season (x1.7 up
to the 24th) and the week before Father's Day (third Sunday of June, x1.4).

Stock is simulated alongside: the shop reorders when stock plus what is on order falls to the mean
demand over the supplier's lead time (no safety stock, as many small shops do), and deliveries take
the quoted lead time plus or minus its spread, so some watches run out. On a day without stock,
nothing sells: demand on those days is lost, and the sales say zero because the stock did.
Limited editions get one allocation (about 60% of a year's demand) and are never restocked: they
sell out. Everything comes from one `random.Random(seed)`, so a seed always gives the same year.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from common.retail_calendar import Season, season_of

WEEKDAY_FACTOR = (0.85, 0.85, 0.9, 0.95, 1.1, 1.25, 1.1)
CHRISTMAS_FACTOR = 1.7
FATHERS_DAY_FACTOR = 1.4
REORDER_COVER_DAYS = 60  # what the simulated shop orders each time: two months of mean demand


@dataclass(frozen=True)
class HistoryWatch:
    reference: str
    daily_mean: float
    pattern: str  # smooth | erratic | intermittent | lumpy
    limited_edition: bool
    lead_time_days: int
    lead_time_sd_days: float
    pack_size: int


@dataclass(frozen=True)
class PastSale:
    day: date
    reference: str
    quantity: int
    buyer: int  # index into the pool of past buyers
    at: datetime


@dataclass(frozen=True)
class PastMovement:
    """A line of the stock ledger: a sale (with its sale), a delivery, or the opening stock."""

    reference: str
    at: datetime
    delta: int
    kind: str  # seed | order_reserved | restock
    balance_after: int
    sale: PastSale | None = None


@dataclass
class History:
    sales: list[PastSale] = field(default_factory=list)
    movements: list[PastMovement] = field(default_factory=list)
    closing_stock: dict[str, int] = field(default_factory=dict)
    lost_units: dict[str, int] = field(default_factory=dict)  # demand that met an empty shelf


def patterns(demand: Sequence[tuple[str, float]]) -> dict[str, str]:
    """The kind of seller each watch is, by the rule in the module's docstring."""
    out: dict[str, str] = {}
    fast = slow = 0
    for reference, mean in demand:
        if mean >= 1.0:
            out[reference] = "erratic" if fast % 3 == 2 else "smooth"
            fast += 1
        else:
            out[reference] = "lumpy" if slow % 3 == 2 else "intermittent"
            slow += 1
    return out


SEASON_FACTOR = {Season.christmas: CHRISTMAS_FACTOR, Season.fathers_day: FATHERS_DAY_FACTOR}


def season_factor(day: date) -> float:
    season = season_of(day)
    return SEASON_FACTOR[season] if season else 1.0


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: fine for the small means of watch sales.
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def daily_demand(rng: random.Random, pattern: str, rate: float) -> int:
    """Units wanted on one day by a seller of this kind at this expected rate."""
    if pattern == "smooth":
        return _poisson(rng, rate)
    if pattern == "erratic":
        return _poisson(rng, rate * rng.gammavariate(0.5, 2.0))
    if pattern == "intermittent":  # one unit, one time in ten two: mean size 1.1
        return (2 if rng.random() < 0.1 else 1) if rng.random() < rate / 1.1 else 0
    if pattern == "lumpy":  # mostly one, sometimes a batch of three to eight (a gift order): mean size 2.8
        if rng.random() >= rate / 2.8:
            return 0
        return 1 if rng.random() < 0.6 else rng.randint(3, 8)
    raise ValueError(f"unknown demand pattern {pattern!r}")


@dataclass
class _Shelf:
    watch: HistoryWatch
    stock: int
    arrivals: dict[date, int] = field(default_factory=dict)

    @property
    def on_order(self) -> int:
        return sum(self.arrivals.values())


def _opening_stock(w: HistoryWatch, days: int) -> int:
    if w.limited_edition:
        return max(2, round(w.daily_mean * days * 0.6))
    return math.ceil(w.daily_mean * (w.lead_time_days + 45))


def generate_history(
    watches: Sequence[HistoryWatch], *, days: int, today: date, buyers: int, seed: int = 20261125
) -> History:
    """A year (or `days`) of trade before `today`, oldest first."""
    rng = random.Random(seed)
    start = today - timedelta(days=days)
    opened = datetime.combine(start, time(0, 0), UTC)
    history = History()
    shelves = {w.reference: _Shelf(w, _opening_stock(w, days)) for w in watches}
    for shelf in shelves.values():
        history.lost_units[shelf.watch.reference] = 0
        if shelf.stock:
            history.movements.append(PastMovement(shelf.watch.reference, opened, shelf.stock, "seed", shelf.stock))
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        trend = 0.9 + 0.2 * (days - offset) / days
        for shelf in shelves.values():
            w = shelf.watch
            delivered = shelf.arrivals.pop(day, 0)
            if delivered:
                shelf.stock += delivered
                history.movements.append(PastMovement(w.reference, datetime.combine(day, time(6, 0), UTC), delivered,
                                                      "restock", shelf.stock))
            wanted = daily_demand(rng, w.pattern, w.daily_mean * WEEKDAY_FACTOR[day.weekday()] * trend
                                  * season_factor(day))
            history.lost_units[w.reference] += max(0, wanted - shelf.stock)
            units = min(wanted, shelf.stock)
            minutes = iter(sorted(rng.randrange(7 * 60, 23 * 60) for _ in range(units)))
            while units > 0:
                quantity = 2 if units >= 2 and rng.random() < 0.1 else 1
                units -= quantity
                minute = next(minutes)
                moment = datetime.combine(day, time(hour=minute // 60, minute=minute % 60), UTC)
                sale = PastSale(day=day, reference=w.reference, quantity=quantity, buyer=rng.randrange(buyers),
                                at=moment)
                shelf.stock -= quantity
                history.sales.append(sale)
                history.movements.append(PastMovement(w.reference, moment, -quantity, "order_reserved", shelf.stock,
                                                      sale))
            _maybe_reorder(rng, shelf, day)
    history.closing_stock = {ref: shelf.stock for ref, shelf in shelves.items()}
    return history


def _maybe_reorder(rng: random.Random, shelf: _Shelf, day: date) -> None:
    w = shelf.watch
    if w.limited_edition or w.daily_mean <= 0:
        return
    if shelf.stock + shelf.on_order > w.daily_mean * w.lead_time_days:
        return
    quantity = max(w.pack_size, math.ceil(w.daily_mean * REORDER_COVER_DAYS / w.pack_size) * w.pack_size)
    lead = max(3, round(rng.gauss(w.lead_time_days, w.lead_time_sd_days)))
    arrival = day + timedelta(days=lead)
    shelf.arrivals[arrival] = shelf.arrivals.get(arrival, 0) + quantity
