"""Earned autonomy: when the stock agent's proposals of a demand class may skip the person.

A class earns auto-approval when people have decided at least `min_proposals` of its proposals and
the Wilson score lower bound (95%) of the share they approved *unchanged* reaches `min_approval`,
and when what happened after the agent's quantities were followed is no worse than the human
baseline. It loses it as soon as either stops holding; every switch is recorded with its evidence.

Outcomes are measured 90 days after a decision: days out of stock, and the value of stock above the
order-up-to level (overstock). The human baseline is the proposals ops changed or rejected. With
fewer than `MIN_OUTCOMES` of those measured there is no baseline to compare with, and the agent's
own outcomes are held to the policy instead: stockout days within the fill-rate target's share of
the 90 days, and overstock no more than the order's own cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

WILSON_Z = 1.959964  # 95% two-sided
MIN_OUTCOMES = 5
OUTCOME_DAYS = 90


def wilson_lower_bound(successes: int, trials: int, *, z: float = WILSON_Z) -> float:
    """The lower end of the Wilson score interval for a proportion (0 with no trials)."""
    if trials <= 0:
        return 0.0
    if not 0 <= successes <= trials:
        raise ValueError("successes must be between 0 and the number of trials")
    p = successes / trials
    z2 = z * z
    centre = p + z2 / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return (centre - margin) / (1 + z2 / trials)


@dataclass(frozen=True)
class Outcomes:
    measured: int
    mean_stockout_days: float
    mean_overstock_value: Decimal
    mean_order_cost: Decimal


@dataclass(frozen=True)
class ClassRecord:
    demand_class: str
    decided_by_people: int  # approved or rejected by a person
    approved_unchanged: int
    agent: Outcomes  # proposals carried out at the agent's quantity
    human: Outcomes  # proposals ops changed or rejected


@dataclass(frozen=True)
class Verdict:
    enabled: bool
    reason: str
    evidence: dict[str, Any]


def judge(record: ClassRecord, *, min_proposals: int, min_approval: float, fill_rate: float) -> Verdict:
    bound = wilson_lower_bound(record.approved_unchanged, record.decided_by_people)
    evidence: dict[str, Any] = {
        "decided_by_people": record.decided_by_people, "approved_unchanged": record.approved_unchanged,
        "wilson_lower_bound": round(bound, 4), "min_proposals": min_proposals, "min_approval": min_approval,
        "agent_outcomes": _describe(record.agent), "human_outcomes": _describe(record.human),
    }
    if record.decided_by_people < min_proposals:
        return Verdict(False, f"{record.decided_by_people} of {min_proposals} decisions needed so far", evidence)
    if bound < min_approval:
        return Verdict(False, f"approved unchanged: lower bound {bound:.3f} is below {min_approval}", evidence)
    worse = _worse_than_baseline(record, fill_rate=fill_rate)
    if worse:
        return Verdict(False, worse, evidence)
    return Verdict(True, f"approved unchanged: lower bound {bound:.3f} >= {min_approval} over "
                   f"{record.decided_by_people} decisions, outcomes no worse than the baseline", evidence)


def _worse_than_baseline(record: ClassRecord, *, fill_rate: float) -> str | None:
    agent, human = record.agent, record.human
    if agent.measured < MIN_OUTCOMES:
        return f"only {agent.measured} of {MIN_OUTCOMES} outcomes measured at {OUTCOME_DAYS} days so far"
    if human.measured >= MIN_OUTCOMES:
        if agent.mean_stockout_days > human.mean_stockout_days:
            return (f"stockout days after the agent's orders ({agent.mean_stockout_days:.1f}) exceed the human "
                    f"baseline ({human.mean_stockout_days:.1f})")
        if agent.mean_overstock_value > human.mean_overstock_value:
            return (f"overstock after the agent's orders (${agent.mean_overstock_value}) exceeds the human "
                    f"baseline (${human.mean_overstock_value})")
        return None
    allowed_days = OUTCOME_DAYS * (1 - fill_rate)
    if agent.mean_stockout_days > allowed_days:
        return (f"stockout days after the agent's orders ({agent.mean_stockout_days:.1f}) exceed the "
                f"{allowed_days:.1f} the fill-rate target allows (no human baseline yet)")
    if agent.mean_overstock_value > agent.mean_order_cost:
        return (f"overstock after the agent's orders (${agent.mean_overstock_value}) exceeds an order's cost "
                f"(${agent.mean_order_cost}) (no human baseline yet)")
    return None


def _describe(o: Outcomes) -> dict[str, Any]:
    return {"measured": o.measured, "mean_stockout_days": round(o.mean_stockout_days, 2),
            "mean_overstock_value": str(o.mean_overstock_value)}
