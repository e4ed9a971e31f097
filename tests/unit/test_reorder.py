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
