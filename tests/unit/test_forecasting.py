"""Forecasting against hand-computed cases: classification, censoring, lead-time variance, fill rate."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from commerce.forecasting.demand import DemandClass, classify, in_stock_by_day, uncensored
from commerce.forecasting.leadtime import LeadTimeDemand, reorder_level_for_fill_rate, shortage_per_cycle
from commerce.forecasting.models import WINDOW_MEAN, Backtest, forecast_demand
from commerce.forecasting.policy import plan
from commerce.forecasting.seasons import deseasonalised, estimate_lifts, horizon_factor
from common.retail_calendar import Season


def test_syntetos_boylan_classes_by_hand() -> None:
    # 4 sales in 4 days, sizes 1,1,1,1: ADI 1, CV2 0 -> smooth
    assert classify([1, 1, 1, 1]).demand_class is DemandClass.smooth
    # sizes 1 and 5 every day: mean 3, sd 2, CV2 = 4/9 = 0.444 -> still smooth; 1 and 7: CV2 = 9/16 -> erratic
    assert classify([1, 5, 1, 5]).cv2 == pytest.approx(0.444, abs=1e-3)
    assert classify([1, 7, 1, 7]).demand_class is DemandClass.erratic
    # one sale of 1 every 4 days: ADI 4, CV2 0 -> intermittent
    profile = classify([0, 0, 0, 1] * 5)
    assert (profile.demand_class, profile.adi, profile.cv2) == (DemandClass.intermittent, 4.0, 0.0)
    # sales of 1 and 7 every 4 days: ADI 4, CV2 0.5625 -> lumpy
    assert classify([0, 0, 0, 1, 0, 0, 0, 7]).demand_class is DemandClass.lumpy
    # the cut-offs themselves: ADI exactly 1.32 is not "frequent"
    assert classify([1] * 25 + [0] * 8).adi == 1.32
    assert classify([1] * 25 + [0] * 8).demand_class is DemandClass.intermittent


def test_a_watch_that_never_sold_is_intermittent_with_no_interval() -> None:
    profile = classify([0, 0, 0])
    assert profile.demand_class is DemandClass.intermittent and profile.adi is None


def test_stockout_days_are_censored_not_zero() -> None:
    # 10 days: sells 2 a day while in stock; out of stock on days 4-6 (zero sales there).
    units = [2, 2, 2, 2, 0, 0, 0, 2, 2, 2]
    flags = [True] * 4 + [False] * 3 + [True] * 3
    observed = uncensored(units, flags)
    assert observed.censored_days == 3
    assert sum(observed.units) / len(observed.units) == 2.0  # counting the zeros would say 1.4
    with pytest.raises(ValueError):
        uncensored(units, flags[:-1])


def test_in_stock_by_day_from_the_ledger() -> None:
    # opens with 3; day 1 sells out (it opened with stock: its sales count); day 2 opens empty; day 3
    # is restocked at 6am but opened empty (censored); day 4 opens with stock.
    flags = in_stock_by_day(3, [(0, 2), (1, 1), (1, 0), (3, 10), (3, 9)], 5)
    assert flags == [True, True, False, False, True]
    assert in_stock_by_day(0, [], 3) == [False, False, False]
    assert in_stock_by_day(5, [], 2) == [True, True]


def test_lead_time_variance_adds_to_demand_variance() -> None:
    # mu 2/day, sigma 1, L 10 days, sigma_L 3: E = 20, Var = 10*1 + 4*9 = 46
    demand = LeadTimeDemand.of(daily_mean=2, daily_sd=1, lead_time_days=10, lead_time_sd_days=3)
    assert (demand.mean, demand.variance) == (20, 46)
    fixed = LeadTimeDemand.of(daily_mean=2, daily_sd=1, lead_time_days=10, lead_time_sd_days=0)
    assert fixed.variance == 10
    # a spread-out lead time needs more stock for the same fill rate
    assert reorder_level_for_fill_rate(demand, order_quantity=20, fill_rate=0.95) > \
        reorder_level_for_fill_rate(fixed, order_quantity=20, fill_rate=0.95)


def test_expected_shortage_of_an_exponential_lead_time_demand() -> None:
    # mean = variance**0.5 = 10 makes the gamma an exponential: E[(X - s)+] = 10 * exp(-s / 10)
    demand = LeadTimeDemand(mean=10, variance=100)
    for s in (0, 5, 10, 23):
        assert demand.expected_shortage(s) == pytest.approx(10 * math.exp(-s / 10), rel=1e-9)
    # fill rate 95% with Q = 20: shortage per cycle 10 exp(-s/10) - 10 exp(-(s+20)/10) <= 1
    #   ->  exp(-s/10) <= 1 / (10 (1 - e^-2)) = 0.11565  ->  s >= 21.57  ->  s = 22
    assert shortage_per_cycle(demand, 22, 20) == pytest.approx(10 * math.exp(-2.2) * (1 - math.exp(-2)))
    assert reorder_level_for_fill_rate(demand, order_quantity=20, fill_rate=0.95) == 22
    # with an order so large the Q term vanishes, and (1 - beta) Q = 1 again: s >= 10 ln 10 = 23.03 -> 24
    assert reorder_level_for_fill_rate(demand, order_quantity=10_000, fill_rate=0.9999) == 24
    # the quantiles of an exponential: -10 ln(1 - p)
    assert demand.quantile(0.9) == pytest.approx(-10 * math.log(0.1), rel=1e-6)


def test_no_demand_means_no_reorder_level() -> None:
    demand = LeadTimeDemand.of(daily_mean=0, daily_sd=0, lead_time_days=30, lead_time_sd_days=5)
    assert reorder_level_for_fill_rate(demand, order_quantity=6, fill_rate=0.98) == 0
    assert plan(daily_mean=0, daily_sd=0, lead_time_days=30, lead_time_sd_days=5, fill_rate=0.98, cover_days=30,
                pack_size=6, min_order=6).quantity_for(0, pack_size=6, min_order=6) == 0


def test_plan_orders_up_to_s_plus_q_in_packs() -> None:
    # mu 1/day, cover 30 -> Q = 30 in packs of 6 = 30; s from the gamma; S = s + 30
    p = plan(daily_mean=1.0, daily_sd=1.0, lead_time_days=14, lead_time_sd_days=3, fill_rate=0.95, cover_days=30,
             pack_size=6, min_order=6)
    assert p.order_quantity == 30 and p.order_up_to == p.reorder_level + 30
    assert p.quantity_for(p.reorder_level + 1, pack_size=6, min_order=6) == 0  # above s: nothing
    assert p.quantity_for(p.reorder_level, pack_size=6, min_order=6) == 30
    assert p.quantity_for(p.reorder_level - 1, pack_size=6, min_order=6) == 36  # 31 rounded up to packs
    low, high = p.interval
    assert low < 14 < high  # the 80% interval of lead-time demand straddles its mean


def test_model_selection_picks_a_croston_type_model_for_intermittent_demand() -> None:
    rng = random.Random(5)
    sparse = [1.0 if rng.random() < 0.08 else 0.0 for _ in range(300)]
    steady = [float(sum(1 for _ in range(20) if rng.random() < 0.15)) for _ in range(300)]
    short = [0.0, 1.0, 0.0] * 10
    out = forecast_demand({"sparse": sparse, "steady": steady, "short": short}, backtest=Backtest(14, 4))
    assert out["sparse"].profile.demand_class is DemandClass.intermittent
    assert out["sparse"].model in {"SES", "Croston-SBA", "TSB", "ADIDA", "IMAPA"}
    assert out["steady"].profile.demand_class is DemandClass.smooth and out["steady"].model in {"SES", "ETS"}
    assert 0.04 < out["sparse"].daily_mean < 0.15 and 2.0 < out["steady"].daily_mean < 4.0
    assert out["sparse"].mase is not None and out["sparse"].daily_sd > 0
    # too short to backtest: the plain mean, labelled as such
    assert out["short"].model == WINDOW_MEAN and out["short"].daily_mean == pytest.approx(1 / 3)


def test_season_lifts_are_learnt_pooled_and_applied_to_the_days_an_order_serves() -> None:
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(365)]
    # three watches selling 1 a day, 2 a day in December up to the 24th (3 x 24 = 72 in-stock
    # watch-days, above the 60 a lift needs): a lift of 2
    units = {k: [2.0 if d.month == 12 and d.day <= 24 else 1.0 for d in days] for k in "abc"}
    flags = {k: [True] * 365 for k in "abc"}
    lifts = estimate_lifts(days, units, flags)
    assert lifts == {Season.christmas: 2.0, Season.fathers_day: 1.0}
    assert set(deseasonalised(days, units["a"], lifts)) == {1.0}
    # out-of-stock days say nothing: a December spent empty leaves too little evidence -> no lift
    empty_december = {k: [d.month != 12 for d in days] for k in "abc"}
    assert estimate_lifts(days, units, empty_december)[Season.christmas] == 1.0
    # an order on 10 Dec serving 20 days: 15 of them (10..24 Dec) lifted by 2 -> mean 1.75
    assert horizon_factor(date(2025, 12, 10), 20, lifts) == pytest.approx(1.75)
    assert horizon_factor(date(2025, 3, 1), 30, lifts) == 1.0


def test_a_seasonal_lift_raises_the_reorder_level() -> None:
    base = plan(daily_mean=1.0, daily_sd=1.0, lead_time_days=14, lead_time_sd_days=3, fill_rate=0.95, cover_days=30,
                pack_size=1, min_order=1)
    december = plan(daily_mean=1.0, daily_sd=1.0, lead_time_days=14, lead_time_sd_days=3, fill_rate=0.95,
                    cover_days=30, pack_size=1, min_order=1, demand_factor=1.7)
    assert december.lead_time_demand.mean == pytest.approx(1.7 * 14)
    assert december.reorder_level > base.reorder_level and december.order_quantity == 51  # 1.7 x 30
