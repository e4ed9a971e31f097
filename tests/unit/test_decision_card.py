"""The decision card from one hand-made low-stock row: dates, money at risk, cover, and what it says
it left out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from commerce.forecasting.demand import DemandClass
from commerce.forecasting.models import WINDOW_MEAN
from commerce.replenishment.models import ReorderPolicy
from commerce.replenishment.service import assess, decision_card
from common.retail_calendar import Season

POLICY = ReorderPolicy(
    fill_rates=dict.fromkeys(DemandClass, 0.95), cover_days=30, band_low=0.5, band_high=1.5,
    max_units_per_order=500, max_order_usd=Decimal("20000"), daily_cap_usd=Decimal("60000"),
    auto_approve_below_usd=None, rejection_cooldown_days=7, autonomy_min_proposals=30, autonomy_min_approval=0.9,
    earned_autonomy=True)
NO_SEASON = dict.fromkeys(Season, 1.0)


def row(**changes: Any) -> dict[str, Any]:
    base = {"watch_id": 1, "reference": "SRPD77K1", "name": "Seiko 5", "price": Decimal("300.00"),
            "available": 2, "reserved": 0, "on_order": 0, "unit_cost": Decimal("150.00"), "pack_size": 6,
            "min_order_qty": 6, "lead_time_days": 14, "lead_time_sd_days": 3.0, "today": date(2026, 3, 2),
            "forecast_model": "SES", "demand_class": "smooth", "forecast_mean": 1.0, "forecast_sd": 1.0,
            "forecast_mase": 0.8, "forecast_observations": 300, "censored_days": 12, "open_proposal_id": None,
            "rejected_at": None}
    return base | changes


def test_the_card_by_hand() -> None:
    facts = assess(row(), POLICY, NO_SEASON)
    # 2 units at 1 a day: out on 4 March; order by 17 days (lead time 14 + 1 sd of 3) before
    assert facts.projected_stockout_date == date(2026, 3, 4)
    assert facts.last_order_date == date(2026, 2, 15)
    # Q = 30 days of 1 a day in packs of 6 = 30; order up to s + 30 from a position of 2, in packs
    assert facts.order_up_to == facts.reorder_point + 30
    assert facts.suggested_quantity == -(-(facts.order_up_to - 2) // 6) * 6
    # at risk: $300 x the units short over 14 days from 2 on hand (E[D] 14 - 2 = 12, plus a sliver)
    assert facts.revenue_at_risk == pytest.approx(Decimal("3600.00"), abs=Decimal("5"))
    card = decision_card(facts, quantity=facts.suggested_quantity)
    assert card["days_of_cover_after"] == round((2 + facts.suggested_quantity) / 1.0, 1)
    assert card["forecast"]["model"] == "SES" and card["forecast"]["interval"]["horizon_days"] == 14
    assert card["left_out"][0].startswith("12 out-of-stock days left out of the forecast")
    assert not any("plain mean" in note for note in card["left_out"])


def test_the_card_says_what_it_left_out() -> None:
    facts = assess(row(forecast_model=WINDOW_MEAN, forecast_mase=None, censored_days=0), POLICY, NO_SEASON)
    cut = facts.suggested_quantity - 6
    card = decision_card(facts, quantity=cut)
    assert any("plain mean" in note for note in card["left_out"])
    assert any(f"6 units of the suggested {facts.suggested_quantity} cut" in note for note in card["left_out"])
    assert not any("out-of-stock days" in note for note in card["left_out"])


def test_a_backtested_model_without_a_mase_is_not_called_a_plain_mean() -> None:
    # MASE is undefined when the naive forecast never errs (a constant series); the model still ran.
    facts = assess(row(forecast_mase=None), POLICY, NO_SEASON)
    assert not any("plain mean" in note for note in decision_card(facts, quantity=facts.suggested_quantity)
                   ["left_out"])
