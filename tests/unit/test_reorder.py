"""The reorder formulas against values worked by hand."""

from __future__ import annotations

import math

import pytest

from commerce.inventory.reorder import reorder_point, safety_stock, z_for_service_level


@pytest.mark.parametrize(("level", "z"), [(0.5, 0.0), (0.9, 1.2816), (0.95, 1.6449), (0.99, 2.3263)])
def test_z_matches_normal_tables(level: float, z: float) -> None:
    assert z_for_service_level(level) == pytest.approx(z, abs=1e-4)


@pytest.mark.parametrize("level", [0.0, 1.0, -0.1, 1.5])
def test_z_refuses_impossible_levels(level: float) -> None:
    with pytest.raises(ValueError, match="service level"):
        z_for_service_level(level)


def test_safety_stock_grows_with_the_square_root_of_lead_time() -> None:
    assert safety_stock(z=1.6449, sigma_daily=2.0, lead_time_days=16) == pytest.approx(1.6449 * 2 * 4)
    four_times = safety_stock(z=1.0, sigma_daily=1.0, lead_time_days=36)
    assert four_times == pytest.approx(2 * safety_stock(z=1.0, sigma_daily=1.0, lead_time_days=9))


def test_reorder_point_is_lead_time_demand_plus_safety_stock_rounded_up() -> None:
    # 1.5/day for 20 days = 30; z(0.95) * 1.2 * sqrt(20) = 8.827...; 38.83 -> 39
    assert reorder_point(mean_daily=1.5, sigma_daily=1.2, lead_time_days=20, service_level=0.95) == 39
    expected = math.ceil(0.2 * 30 + 1.6449 * 0.45 * math.sqrt(30))
    assert reorder_point(mean_daily=0.2, sigma_daily=0.45, lead_time_days=30, service_level=0.95) == expected


def test_no_demand_means_no_reorder_point() -> None:
    assert reorder_point(mean_daily=0, sigma_daily=0, lead_time_days=30, service_level=0.95) == 0
    with pytest.raises(ValueError):
        reorder_point(mean_daily=-1, sigma_daily=0, lead_time_days=30, service_level=0.95)


def test_order_up_to_covers_lead_time_and_cycle_in_whole_packs() -> None:
    from commerce.inventory.reorder import order_up_to_quantity

    # mu=1.5/day, sigma=1.2, L=20, cover 30: S = 1.5*50 + 1.6449*1.2*sqrt(20) = 75 + 8.83 = 83.83
    # position 10 -> 73.83 -> packs of 6 -> 13 packs = 78
    assert order_up_to_quantity(mean_daily=1.5, sigma_daily=1.2, lead_time_days=20, service_level=0.95,
                                position=10, pack_size=6, min_order=12) == 78
    # a slow watch: S = 0.1*(42+30) + 1.6449*0.3*sqrt(42) = 7.2 + 3.198 = 10.4; position 2 -> 8.4 -> min order 10
    assert order_up_to_quantity(mean_daily=0.1, sigma_daily=0.3, lead_time_days=42, service_level=0.95,
                                position=2, pack_size=1, min_order=10) == 10
    assert order_up_to_quantity(mean_daily=0.1, sigma_daily=0.3, lead_time_days=42, service_level=0.95,
                                position=50, pack_size=1, min_order=10) == 0


def test_rounding_and_eoq() -> None:
    from commerce.inventory.reorder import economic_order_quantity, round_to_pack

    assert round_to_pack(7, pack_size=5, min_order=5) == 10
    assert round_to_pack(3, pack_size=2, min_order=8) == 8
    assert round_to_pack(0, pack_size=2, min_order=8) == 0
    # D=365, S=$40 per order, H=$20 per unit-year: sqrt(2*365*40/20) = sqrt(1460) = 38.21
    assert economic_order_quantity(annual_demand=365, order_cost=40, holding_cost_per_unit=20) == pytest.approx(
        38.21, abs=0.01)
