"""Reorder math from inventory theory, as pure functions.

    z               = Phi^-1(service level)             (standard normal quantile)
    safety stock    = z * sigma_d * sqrt(L)             (sigma_d: std dev of daily demand, L: lead time in days)
    lead-time demand = mu_d * L                         (mu_d: mean daily demand)
    reorder point   = lead-time demand + safety stock
"""

from __future__ import annotations

import math
from statistics import NormalDist


def z_for_service_level(service_level: float) -> float:
    """The standard normal quantile for a cycle service level in (0, 1), e.g. 0.95 -> 1.645."""
    if not 0.0 < service_level < 1.0:
        raise ValueError("service level must be strictly between 0 and 1")
    return NormalDist().inv_cdf(service_level)


def safety_stock(*, z: float, sigma_daily: float, lead_time_days: float) -> float:
    if sigma_daily < 0 or lead_time_days < 0:
        raise ValueError("sigma and lead time must be non-negative")
    return z * sigma_daily * math.sqrt(lead_time_days)


def reorder_point(*, mean_daily: float, sigma_daily: float, lead_time_days: float, service_level: float) -> int:
    """Units at or below which a watch should be reordered, rounded up to whole units."""
    if mean_daily < 0:
        raise ValueError("mean demand must be non-negative")
    z = z_for_service_level(service_level)
    point = mean_daily * lead_time_days + safety_stock(
        z=z, sigma_daily=sigma_daily, lead_time_days=lead_time_days
    )
    return max(0, math.ceil(point - 1e-9))


def round_to_pack(quantity: float, *, pack_size: int, min_order: int) -> int:
    """Whole packs, at least the supplier's minimum order; 0 stays 0."""
    if quantity <= 0:
        return 0
    packs = math.ceil(max(quantity, min_order) / pack_size - 1e-9)
    return packs * pack_size


def order_up_to_quantity(
    *, mean_daily: float, sigma_daily: float, lead_time_days: float, service_level: float, position: int,
    pack_size: int, min_order: int, cover_days: float = 30.0,
) -> int:
    """Units to order so that stock covers the lead time plus `cover_days`, with safety stock:

        order-up-to level S = mu_d * (L + cover) + z * sigma_d * sqrt(L)
        quantity = S - position   (position = available + on order), in whole packs, >= minimum order
    """
    z = z_for_service_level(service_level)
    level = mean_daily * (lead_time_days + cover_days) + safety_stock(
        z=z, sigma_daily=sigma_daily, lead_time_days=lead_time_days
    )
    return round_to_pack(level - position, pack_size=pack_size, min_order=min_order)


def economic_order_quantity(*, annual_demand: float, order_cost: float, holding_cost_per_unit: float) -> float:
    """EOQ = sqrt(2 * D * S / H): the order size that balances ordering and holding costs."""
    if holding_cost_per_unit <= 0:
        raise ValueError("holding cost must be positive")
    return math.sqrt(2 * annual_demand * order_cost / holding_cost_per_unit)
