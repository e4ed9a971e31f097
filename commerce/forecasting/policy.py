"""From a demand forecast to when and how much to reorder: an (s, S) policy held to a fill rate.

    Q = mean daily demand x max(cover days, lead time), in whole packs, at least the supplier's minimum
    s = the smallest reorder level whose expected shortage per cycle is within (1 - fill rate) x Q
    S = s + Q                         (order up to S when stock on hand plus on order falls to s)

The lead-time demand behind s carries both the forecast's error and the supplier's lead-time spread
(see leadtime.py); its 10% and 90% quantiles are the interval a decision card shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from commerce.forecasting.leadtime import LeadTimeDemand, reorder_level_for_fill_rate
from commerce.inventory.reorder import round_to_pack

INTERVAL = (0.1, 0.9)  # an 80% interval of demand over the lead time


@dataclass(frozen=True)
class Plan:
    reorder_level: int
    order_quantity: int
    order_up_to: int
    lead_time_demand: LeadTimeDemand
    interval: tuple[float, float]
    fill_rate: float

    def quantity_for(self, position: int, *, pack_size: int, min_order: int) -> int:
        """Units to order now: up to S when the position is at or below s, in whole packs; else 0."""
        if position > self.reorder_level or self.order_quantity == 0:
            return 0
        return round_to_pack(self.order_up_to - position, pack_size=pack_size, min_order=min_order)


def horizon_days(lead_time_days: float, cover_days: float) -> int:
    """The days an order placed today must serve: the lead time, then its own cover (see `plan`)."""
    return math.ceil(lead_time_days + max(cover_days, lead_time_days))


def plan(*, daily_mean: float, daily_sd: float, lead_time_days: float, lead_time_sd_days: float, fill_rate: float,
         cover_days: float, pack_size: int, min_order: int, demand_factor: float = 1.0) -> Plan:
    """`demand_factor` is the seasons' mean lift over the days the order serves (seasons.py): the
    forecast is of a plain day, and December is not one. The spread grows with the square root, as
    a count's does."""
    daily_mean, daily_sd = daily_mean * demand_factor, daily_sd * math.sqrt(demand_factor)
    demand = LeadTimeDemand.of(daily_mean=daily_mean, daily_sd=daily_sd, lead_time_days=lead_time_days,
                               lead_time_sd_days=lead_time_sd_days)
    # The store keeps one open order per watch, so the next order can only be placed once this one
    # arrives and lands a lead time later: an order must last at least a lead time, not just `cover_days`.
    quantity = round_to_pack(daily_mean * max(cover_days, lead_time_days), pack_size=pack_size, min_order=min_order)
    level = reorder_level_for_fill_rate(demand, order_quantity=quantity, fill_rate=fill_rate) if quantity else 0
    low, high = (demand.quantile(p) for p in INTERVAL)
    return Plan(reorder_level=level, order_quantity=quantity, order_up_to=level + quantity, lead_time_demand=demand,
                interval=(round(low, 1), round(high, 1)), fill_rate=fill_rate)
