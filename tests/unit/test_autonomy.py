"""Earned autonomy against hand-computed cases: the Wilson bound, the switch, and the 90-day outcome."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce.replenishment.autonomy import ClassRecord, Outcomes, judge, wilson_lower_bound
from commerce.replenishment.earned import outcome

GOOD = Outcomes(measured=8, mean_stockout_days=1.0, mean_overstock_value=Decimal("100.00"),
                mean_order_cost=Decimal("900.00"))
NONE = Outcomes(measured=0, mean_stockout_days=0.0, mean_overstock_value=Decimal("0.00"),
                mean_order_cost=Decimal("0.00"))


def test_wilson_lower_bound_by_hand() -> None:
    # 27 of 30: p 0.9, z^2/n 0.12805 -> (0.96402 - 0.12500) / 1.12805 = 0.7438
    assert wilson_lower_bound(27, 30) == pytest.approx(0.7438, abs=1e-4)
    # 30 of 30 is not enough for 0.9: 1 / (1 + 3.8415 / 30) = 0.8865 ...
    assert wilson_lower_bound(30, 30) == pytest.approx(0.8865, abs=1e-4)
    # ... 35 of 35 is: 1 / (1 + 3.8415 / 35) = 0.9011
    assert wilson_lower_bound(35, 35) == pytest.approx(0.9011, abs=1e-4)
    assert wilson_lower_bound(0, 0) == 0.0
    with pytest.raises(ValueError):
        wilson_lower_bound(3, 2)


def record(decided: int, unchanged: int, agent: Outcomes = GOOD, human: Outcomes = NONE) -> ClassRecord:
    return ClassRecord("intermittent", decided, unchanged, agent, human)


def verdict(r: ClassRecord) -> tuple[bool, str]:
    v = judge(r, min_proposals=30, min_approval=0.9, fill_rate=0.95)
    return v.enabled, v.reason


def test_autonomy_switches_on_only_with_enough_evidence() -> None:
    assert verdict(record(29, 29)) == (False, "29 of 30 decisions needed so far")
    enabled, reason = verdict(record(30, 30))
    assert not enabled and "0.886" in reason  # all approved, but 30 is too few for the bound to reach 0.9
    enabled, reason = verdict(record(35, 35))
    assert enabled and "0.901" in reason


def test_autonomy_switches_off_when_the_record_stops_holding() -> None:
    assert verdict(record(35, 35))[0]
    assert not verdict(record(36, 35))[0], "one change of quantity takes the bound to 0.8583"
    assert wilson_lower_bound(35, 36) == pytest.approx(0.8583, abs=1e-4)


def test_outcomes_must_be_no_worse_than_the_human_baseline() -> None:
    human = Outcomes(measured=6, mean_stockout_days=0.5, mean_overstock_value=Decimal("500.00"),
                     mean_order_cost=Decimal("900.00"))
    enabled, reason = verdict(record(35, 35, agent=GOOD, human=human))
    assert not enabled and "exceed the human baseline (0.5)" in reason
    better = Outcomes(measured=6, mean_stockout_days=2.0, mean_overstock_value=Decimal("500.00"),
                      mean_order_cost=Decimal("900.00"))
    assert verdict(record(35, 35, agent=GOOD, human=better))[0]
    # without a baseline the policy is the bar: 90 x (1 - 0.95) = 4.5 stockout days
    late = Outcomes(measured=8, mean_stockout_days=5.0, mean_overstock_value=Decimal("0.00"),
                    mean_order_cost=Decimal("900.00"))
    enabled, reason = verdict(record(35, 35, agent=late))
    assert not enabled and "4.5 the fill-rate target allows" in reason
    # and outcomes must have been measured at all
    enabled, reason = verdict(record(35, 35, agent=NONE))
    assert not enabled and "only 0 of 5 outcomes" in reason


def test_ninety_day_outcome_by_hand() -> None:
    # opens with 4; sells out on day 10, restocked on day 15 (which opened empty), ends with 30.
    moves = [(3, 3), (10, 0), (15, 40), (80, 30)]
    days_out, overstock = outcome(4, moves, order_up_to=25, unit_cost=Decimal("150.00"))
    assert days_out == 5  # days 11..15 opened with an empty shelf
    assert overstock == Decimal("750.00")  # (30 - 25) x 150
    assert outcome(4, [], order_up_to=None, unit_cost=Decimal("10")) == (0, Decimal("0.00"))
