"""Demand over a supplier's lead time, and the reorder level that meets a fill-rate target.

Lead-time demand D_L adds up a random number of random days. With daily demand of mean mu and
standard deviation sigma, and a lead time of mean L and standard deviation sigma_L (days):

    E[D_L]   = mu * L
    Var[D_L] = L * sigma^2 + mu^2 * sigma_L^2      (the second term is the lead time's own spread)

D_L is modelled as a gamma distribution with that mean and variance: it is never negative and is
skewed like the demand of slow sellers, where a normal would put mass below zero.

A fill rate (type 2 service) is the share of demanded units served from stock. With an order of
Q units per replenishment cycle, a reorder level s meets a fill-rate target beta when the units
expected short per cycle are no more than the share allowed to go unserved:

    E[(D_L - s)^+] - E[(D_L - s - Q)^+] <= (1 - beta) * Q

For a gamma with shape k and scale theta, E[(X - s)^+] = k*theta*Q(k+1, s/theta) - s*Q(k, s/theta),
Q being the regularised upper incomplete gamma function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.special import gammaincc
from scipy.stats import gamma as gamma_dist


@dataclass(frozen=True)
class LeadTimeDemand:
    mean: float
    variance: float

    @classmethod
    def of(cls, *, daily_mean: float, daily_sd: float, lead_time_days: float,
           lead_time_sd_days: float) -> LeadTimeDemand:
        if min(daily_mean, daily_sd, lead_time_days, lead_time_sd_days) < 0:
            raise ValueError("demand and lead time figures must be non-negative")
        mean = daily_mean * lead_time_days
        variance = lead_time_days * daily_sd**2 + daily_mean**2 * lead_time_sd_days**2
        return cls(mean=mean, variance=variance)

    @property
    def _shape_scale(self) -> tuple[float, float]:
        return self.mean**2 / self.variance, self.variance / self.mean

    @property
    def _degenerate(self) -> bool:
        # No demand, or demand known exactly: all the mass sits on the mean.
        return self.mean <= 0 or self.variance <= 0

    def quantile(self, p: float) -> float:
        if not 0.0 < p < 1.0:
            raise ValueError("a quantile level is strictly between 0 and 1")
        if self._degenerate:
            return max(self.mean, 0.0)
        k, theta = self._shape_scale
        return float(gamma_dist.ppf(p, k, scale=theta))

    def expected_shortage(self, level: float) -> float:
        """E[(D_L - level)^+]: units expected to go unserved if `level` units cover the lead time."""
        if self._degenerate:
            return max(self.mean - level, 0.0)
        if level <= 0:
            return self.mean - level
        k, theta = self._shape_scale
        x = level / theta
        return float(k * theta * gammaincc(k + 1, x) - level * gammaincc(k, x))


def shortage_per_cycle(demand: LeadTimeDemand, level: float, order_quantity: float) -> float:
    """Units short in one replenishment cycle: E[(D_L - s)^+] - E[(D_L - s - Q)^+]. The second term
    takes out shortages the order in hand would not have covered anyway; it matters for slow sellers,
    whose orders are small next to the spread of their lead-time demand."""
    return demand.expected_shortage(level) - demand.expected_shortage(level + order_quantity)


def reorder_level_for_fill_rate(demand: LeadTimeDemand, *, order_quantity: float, fill_rate: float) -> int:
    """The smallest whole reorder level s whose shortage per cycle is within (1 - fill_rate) * Q."""
    if not 0.0 < fill_rate < 1.0:
        raise ValueError("a fill rate is strictly between 0 and 1")
    if demand.mean <= 0:
        return 0
    quantity = max(order_quantity, 1.0)
    allowed = (1.0 - fill_rate) * quantity
    # Shortage falls as s rises; search from near the mean (it keeps the search short) both ways.
    level = max(0, math.floor(demand.mean) - 1)
    while shortage_per_cycle(demand, level, quantity) > allowed:
        level += 1
    while level > 0 and shortage_per_cycle(demand, level - 1, quantity) <= allowed:
        level -= 1
    return level
