"""The watch trade's calendar: the days a gift season lifts demand.

Two seasons matter to a watch shop: December up to Christmas Eve, and the week before Father's Day
(the third Sunday of June, as in the US and UK). The seeded history draws its lifts on these days,
and the forecasts learn how large each lift is from the sales history.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class Season(StrEnum):
    christmas = "christmas"
    fathers_day = "fathers_day"


def fathers_day(year: int) -> date:
    june_first = date(year, 6, 1)
    first_sunday = june_first + timedelta(days=(6 - june_first.weekday()) % 7)
    return first_sunday + timedelta(days=14)


def season_of(day: date) -> Season | None:
    if day.month == 12 and day.day <= 24:
        return Season.christmas
    if timedelta(0) <= fathers_day(day.year) - day < timedelta(days=7):
        return Season.fathers_day
    return None
