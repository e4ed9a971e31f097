"""A/B eval statistics, checked against answers worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evals.ab.models import CaseResult
from evals.ab.stats import (
    cases_needed,
    flakiness,
    not_worse,
    paired_comparison,
    summarize,
    t_interval,
    wilson_interval,
)


def r(case: str, variant: str, score: float, *, rep: int = 0, passed: bool | None = None,
      cost: Decimal | None = Decimal("0.01"), latency: int = 100, provider: str = "offline") -> CaseResult:
    return CaseResult(case_id=case, variant=variant, provider=provider, repetition=rep, score=score,
                      passed=score >= 0.5 if passed is None else passed, explanations=(), cost_usd=cost,
                      latency_ms=latency)


def paired(base: list[float], cand: list[float]) -> list[CaseResult]:
    return [r(f"c{i}", "base", b) for i, b in enumerate(base)] + [r(f"c{i}", "cand", c) for i, c in enumerate(cand)]


def test_wilson_8_of_10() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3)
    assert high == pytest.approx(0.9433, abs=1e-3)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 10)[0] == pytest.approx(0.0, abs=1e-12)
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)


def test_t_interval_matches_the_textbook_and_says_nothing_from_one_value() -> None:
    # mean 0.5, s = sqrt(10/36 * ...) : values 0,1 x5 -> s = sqrt(10*0.25/9); t(9, .975) = 2.262157
    m, lo, hi = t_interval([0.0, 1.0] * 5)
    half = 2.262157 * (10 * 0.25 / 9) ** 0.5 / 10 ** 0.5
    assert m == 0.5 and lo == pytest.approx(0.5 - half, abs=1e-5) and hi == pytest.approx(0.5 + half, abs=1e-5)
    assert t_interval([0.3])[1:] == (float("-inf"), float("inf"))


def test_repetitions_are_not_cases_in_the_summary_intervals() -> None:
    """One case passing 30 repetitions is one observation: the old row-level Wilson gave [0.886, 1]."""
    rows = [r("only", "v", 1.0, rep=i) for i in range(30)]
    v = summarize(rows)["v"]
    assert (v.n, v.n_cases, v.pass_rate) == (30, 1, 1.0)
    assert v.pass_low < 0.25, "one case cannot vouch for a pass rate above 0.8"
    assert (v.score_low, v.score_high) == (0.0, 1.0), "one case says nothing about the spread of scores"


def test_candidate_better_on_9_of_10() -> None:
    base = [0.5] * 10
    cand = [0.7] * 9 + [0.3]
    cmp = paired_comparison(paired(base, cand), baseline="base", candidate="cand")
    assert (cmp.n_cases, cmp.wins, cmp.losses, cmp.ties) == (10, 9, 1, 0)
    assert cmp.mean_diff == pytest.approx(0.16)
    assert cmp.diff_low > 0
    # |sum| >= 8d iff 0, 1, 9 or 10 signs are flipped: 2 * (1 + 10) of 2^10 sign vectors.
    assert cmp.p_value == pytest.approx(22 / 1024)
    assert cmp.per_case["c9"] == pytest.approx(-0.2)


def test_identical_variants() -> None:
    scores = [0.1 * i for i in range(8)]
    cmp = paired_comparison(paired(scores, scores), baseline="base", candidate="cand")
    assert cmp.p_value == 1.0
    assert cmp.mean_diff == 0.0 and cmp.diff_low == 0.0 and cmp.diff_high == 0.0
    assert cmp.ties == cmp.n_cases == 8 and cmp.wins == cmp.losses == 0


def test_symmetric_wins_and_losses() -> None:
    base = [0.5] * 10
    cand = [0.8] * 5 + [0.2] * 5
    cmp = paired_comparison(paired(base, cand), baseline="base", candidate="cand")
    assert cmp.mean_diff == pytest.approx(0.0)
    assert cmp.p_value == pytest.approx(1.0)


def test_one_big_loss_outweighs_many_small_wins() -> None:
    """Nine wins of +0.01 and one loss of -0.9: counting signs said "better"; the sizes say otherwise."""
    cmp = paired_comparison(paired([0.9] * 10, [0.91] * 9 + [0.0]), baseline="base", candidate="cand")
    assert (cmp.wins, cmp.losses) == (9, 1)
    assert cmp.mean_diff == pytest.approx(-0.081)
    assert cmp.diff_low < -0.081 < cmp.diff_high
    assert not hasattr(cmp, "prob_candidate_better")


def test_large_n_uses_random_flips() -> None:
    base = [0.5] * 40
    cand = [0.6] * 30 + [0.4] * 10
    cmp = paired_comparison(paired(base, cand), baseline="base", candidate="cand")
    # exact two-sided binomial p for 30 of 40 is about 0.0022; the Monte Carlo estimate is close
    assert 0.0005 < cmp.p_value < 0.006


def test_pairs_on_shared_cases_and_averages_repetitions() -> None:
    rows = [r("a", "base", 0.0), r("a", "cand", 1.0, rep=0), r("a", "cand", 0.0, rep=1),
            r("b", "base", 0.5), r("only_cand", "cand", 1.0)]
    cmp = paired_comparison(rows, baseline="base", candidate="cand")
    assert cmp.per_case == {"a": 0.5}
    with pytest.raises(ValueError):
        paired_comparison(rows, baseline="base", candidate="nobody")


def test_flakiness_reports_failures_with_an_interval() -> None:
    rows = [r("x", "v", 1.0, rep=0), r("x", "v", 1.0, rep=1), r("x", "v", 0.0, rep=2),
            r("y", "v", 1.0, rep=0), r("y", "v", 1.0, rep=1), r("y", "v", 1.0, rep=2)]
    f = flakiness(rows)
    assert (f[("v", "x")].runs, f[("v", "x")].failures, f[("v", "x")].mixed) == (3, 1, True)
    y = f[("v", "y")]
    assert (y.failures, y.mixed) == (0, False)
    # A case that fails 10% of the time passes 3 of 3 runs most often; it must not read as 0.
    assert y.failure_high == pytest.approx(wilson_interval(0, 3)[1]) and y.failure_high > 0.5


def test_not_worse() -> None:
    base = [0.8] * 10
    slightly = paired_comparison(paired(base, [0.78] * 5 + [0.76] * 5), baseline="base", candidate="cand")
    clearly = paired_comparison(paired(base, [0.5] * 5 + [0.4] * 5), baseline="base", candidate="cand")
    assert not_worse(slightly, margin=0.1)
    assert not not_worse(clearly, margin=0.1)


def test_not_worse_tolerates_float_rounding_at_the_margin() -> None:
    """0.75 - 0.80 is -0.05000000000000004 in floats: at margin 0.05 it is on the line, not below it."""
    cmp = paired_comparison(paired([0.80] * 10, [0.75] * 10), baseline="base", candidate="cand")
    assert cmp.diff_low == 0.75 - 0.80 < -0.05
    assert not_worse(cmp, margin=0.05)


def test_cases_needed_for_a_margin() -> None:
    assert cases_needed(0.2, 0.05) == 64  # t(63) * 0.2 / 8 = 0.04998
    assert cases_needed(0.0, 0.05) == 2


def test_summarize() -> None:
    rows = [r(f"c{i}", "v", 1.0 if i < 8 else 0.0, latency=10 * (i + 1)) for i in range(10)]
    rows.append(r("c0", "w", 1.0, cost=None))
    s = summarize(rows)
    v = s["v"]
    assert (v.n, v.n_cases, v.pass_rate, v.mean_score) == (10, 10, 0.8, 0.8)
    assert (v.pass_low, v.pass_high) == wilson_interval(8, 10)
    assert v.score_low <= 0.8 <= v.score_high
    assert v.mean_cost_usd == pytest.approx(0.01)
    assert v.mean_latency_ms == 55.0
    assert v.p95_latency_ms == pytest.approx(95.5)
    assert s["w"].mean_cost_usd is None
