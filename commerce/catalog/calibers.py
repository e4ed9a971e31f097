"""Facts about the movements in the catalog that the watch rows do not carry.

Power reserve in hours, as Seiko publishes it for each mechanical (and Spring Drive) caliber. Quartz,
solar and kinetic movements run on a battery or a stored charge, which is not a power reserve in this
sense, so they are absent here on purpose."""

from __future__ import annotations

POWER_RESERVE_HOURS: dict[str, int] = {
    "4R34": 41, "4R35": 41, "4R36": 41, "4R57": 41, "7S26": 41,
    "6R27": 45, "6L35": 45, "8R46": 45,
    "6R31": 50, "8L35": 50,
    "6R35": 70,
    "6R54": 72, "9S64": 72, "5R65": 72,
}


def power_reserve_hours(caliber: str) -> int | None:
    return POWER_RESERVE_HOURS.get(caliber.upper())
