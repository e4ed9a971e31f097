"""A seeded generator of past sales, so that each watch has a sales velocity that means something.

Demand per watch and day is Poisson around the watch's mean, with a weekly rhythm (weekends sell
more) and a gentle trend; units become orders of one or two watches from a pool of past buyers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

WEEKDAY_FACTOR = (0.85, 0.85, 0.9, 0.95, 1.1, 1.25, 1.1)


@dataclass(frozen=True)
class PastSale:
    day: date
    reference: str
    quantity: int
    buyer: int  # index into the pool of past buyers
    at: datetime


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


def generate_sales(
    demand: Sequence[tuple[str, float]], *, days: int, today: date, buyers: int, seed: int = 20261125
) -> Iterator[PastSale]:
    """Yield past sales for each (reference, mean units per day) over the `days` before `today`."""
    rng = random.Random(seed)
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        trend = 0.9 + 0.2 * (days - offset) / days
        for reference, mean in demand:
            units = _poisson(rng, mean * WEEKDAY_FACTOR[day.weekday()] * trend)
            while units > 0:
                quantity = 2 if units >= 2 and rng.random() < 0.1 else 1
                units -= quantity
                moment = time(hour=rng.randrange(7, 23), minute=rng.randrange(60), tzinfo=UTC)
                yield PastSale(day=day, reference=reference, quantity=quantity, buyer=rng.randrange(buyers),
                               at=datetime.combine(day, moment))
