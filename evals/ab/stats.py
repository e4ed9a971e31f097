"""Statistics for A/B prompt evals: pure functions over CaseResult rows (numpy and scipy only).

The unit of evidence is the case, never the row: a case run with 3 repetitions on 2 providers is one
observation (the mean of its 6 rows), because repetitions of one case are not independent draws from
the population of situations the prompt will meet. Every interval below is over cases.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from scipy import stats as scipy_stats

from evals.ab.models import CaseResult

_EPS = 1e-12  # |diff| at or below this counts as a tie
TOLERANCE = 1e-9  # float slack for comparing an interval bound with a margin (0.75 - 0.80 vs -0.05)
_EXACT_MAX_CASES = 16
_RANDOM_FLIPS = 20_000


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def wilson_interval(successes: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion p̂ = successes / n (successes may be fractional: the
    sum of per-case pass shares, with n the number of cases).

    With z = Φ⁻¹(1 − α/2):  centre = (p̂ + z²/2n) / (1 + z²/n),
    half = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²); returns (centre − half, centre + half).
    n == 0 gives the uninformative (0, 1).
    """
    _check_confidence(confidence)
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes}/{n}")
    if n == 0:
        return (0.0, 1.0)
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def t_bounds(values: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Student-t intervals mean ± t₍ₙ₋₁, 1−α/2₎ · s/√n along the last axis (vectorised: one interval per
    row of a 2-D array). Fewer than two values give (−inf, inf): one case says nothing about the spread."""
    _check_confidence(confidence)
    n = values.shape[-1]
    if n == 0:
        raise ValueError("a t interval needs at least one value")
    mean = values.mean(axis=-1)
    if n < 2:
        return mean, np.full_like(mean, -np.inf), np.full_like(mean, np.inf)
    half = scipy_stats.t.ppf(1.0 - (1.0 - confidence) / 2.0, n - 1) * values.std(axis=-1, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def t_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of t_bounds for one sample."""
    mean, low, high = t_bounds(np.asarray(values, dtype=float), confidence)
    return (float(mean), float(low), float(high))


def case_means(results: Sequence[CaseResult], variant: str, *, passes: bool = False) -> dict[str, float]:
    """Per case, the mean score (or the pass share) of `variant` over its providers and repetitions."""
    values: dict[str, list[float]] = defaultdict(list)
    for r in results:
        if r.variant == variant:
            values[r.case_id].append(float(r.passed) if passes else r.score)
    return {case: sum(v) / len(v) for case, v in values.items()}


@dataclass(frozen=True)
class VariantSummary:
    variant: str
    n: int  # rows: cases x providers x repetitions
    n_cases: int
    pass_rate: float  # mean over cases of each case's pass share
    pass_low: float  # Wilson 95% over cases
    pass_high: float
    mean_score: float  # mean over cases of each case's mean score
    score_low: float  # Student-t 95% over cases, clipped to 0..1
    score_high: float
    mean_cost_usd: float | None  # None when any result has no cost
    mean_latency_ms: float
    p95_latency_ms: float  # linear-interpolated percentile


def summarize(results: Sequence[CaseResult]) -> dict[str, VariantSummary]:
    """One VariantSummary per variant; the intervals are over cases (rows are averaged per case first)."""
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        groups[r.variant].append(r)
    out: dict[str, VariantSummary] = {}
    for variant, rows in groups.items():
        pass_shares = list(case_means(rows, variant, passes=True).values())
        scores = list(case_means(rows, variant).values())
        n_cases = len(scores)
        low, high = wilson_interval(sum(pass_shares), n_cases)
        mean_score, score_low, score_high = t_interval(scores)
        costs = [r.cost_usd for r in rows]
        mean_cost = None if any(c is None for c in costs) else float(sum(c for c in costs if c is not None)) / len(rows)
        latencies = np.asarray([r.latency_ms for r in rows], dtype=float)
        out[variant] = VariantSummary(
            variant=variant, n=len(rows), n_cases=n_cases, pass_rate=sum(pass_shares) / n_cases, pass_low=low,
            pass_high=high, mean_score=mean_score, score_low=max(0.0, score_low), score_high=min(1.0, score_high),
            mean_cost_usd=mean_cost, mean_latency_ms=float(latencies.mean()),
            p95_latency_ms=float(np.percentile(latencies, 95)),
        )
    return out


@dataclass(frozen=True)
class PairedComparison:
    baseline: str
    candidate: str
    n_cases: int
    mean_diff: float  # candidate − baseline, mean over cases of per-case mean scores
    diff_low: float  # Student-t 95% interval over the per-case differences
    diff_high: float
    diff_sd: float  # sample standard deviation of the per-case differences (0 for one case)
    p_value: float  # two-sided sign-flip permutation test on the differences (uses their sizes)
    wins: int
    losses: int
    ties: int
    per_case: dict[str, float]


def _sign_flip_p_value(diffs: Sequence[float], *, seed: int = 0) -> float:
    """Two-sided sign-flip test of H0 "each difference is symmetric about 0"; statistic T = |Σ dᵢ|.

    Zeros are dropped (flipping them changes nothing). With m <= 16 non-zero differences, all 2^m
    sign vectors are enumerated and p = #{|Σ sᵢdᵢ| >= T} / 2^m exactly; otherwise 20,000 seeded
    random sign vectors give p = (1 + #{|Σ sᵢdᵢ| >= T}) / (1 + 20,000).
    """
    d = np.asarray([x for x in diffs if abs(x) > _EPS], dtype=float)
    if d.size == 0:
        return 1.0
    observed = abs(float(d.sum())) - 1e-9  # tolerance so float noise does not drop the observed arrangement
    if d.size <= _EXACT_MAX_CASES:
        signs = np.asarray(list(itertools.product((1.0, -1.0), repeat=d.size)))
        return float(np.mean(np.abs(signs @ d) >= observed))
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(_RANDOM_FLIPS // 2000):  # chunks keep memory at 2000 x m
        signs = rng.choice(np.asarray([1.0, -1.0]), size=(2000, d.size))
        hits += int(np.sum(np.abs(signs @ d) >= observed))
    return (1 + hits) / (1 + _RANDOM_FLIPS)


def paired_comparison(results: Sequence[CaseResult], *, baseline: str, candidate: str) -> PairedComparison:
    """Pair the two variants on case_id (cases present for both only).

    Per case, dᵢ = mean candidate score − mean baseline score (means over providers and repetitions);
    mean_diff = mean of dᵢ with a Student-t 95% interval over cases; win/loss/tie is the sign of dᵢ
    (|dᵢ| <= 1e-12 ties). Wins and losses are counts only: the interval and the p-value weigh their sizes.
    """
    base, cand = case_means(results, baseline), case_means(results, candidate)
    cases = sorted(base.keys() & cand.keys())
    if not cases:
        raise ValueError(f"no case has results for both {baseline!r} and {candidate!r}")
    per_case = {c: cand[c] - base[c] for c in cases}
    diffs = list(per_case.values())
    mean, low, high = t_interval(diffs)
    wins = sum(d > _EPS for d in diffs)
    losses = sum(d < -_EPS for d in diffs)
    return PairedComparison(
        baseline=baseline, candidate=candidate, n_cases=len(cases), mean_diff=mean, diff_low=low, diff_high=high,
        diff_sd=float(np.std(diffs, ddof=1)) if len(diffs) > 1 else 0.0, p_value=_sign_flip_p_value(diffs),
        wins=wins, losses=losses, ties=len(cases) - wins - losses, per_case=per_case,
    )


@dataclass(frozen=True)
class Repeatability:
    """How often one case failed over its runs (providers x repetitions), with a Wilson 95% interval.

    A case that passed 3 of 3 runs has failure rate 0 observed but up to ~56% plausible: the upper
    bound, not the observed share, says how far a few repetitions can vouch for a case.
    """

    runs: int
    failures: int
    failure_low: float
    failure_high: float

    @property
    def mixed(self) -> bool:
        """Both outcomes were seen: the case is flaky, not merely unproven."""
        return 0 < self.failures < self.runs


def flakiness(results: Sequence[CaseResult]) -> dict[tuple[str, str], Repeatability]:
    """Per (variant, case_id): failures over its runs, with the interval for the failure rate."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        counts[(r.variant, r.case_id)][0] += 1
        counts[(r.variant, r.case_id)][1] += not r.passed
    return {key: Repeatability(runs, fails, *wilson_interval(fails, runs)) for key, (runs, fails) in counts.items()}


def not_worse(comparison: PairedComparison, *, margin: float) -> bool:
    """Non-inferiority shown: the lower bound of the 95% interval of (candidate − baseline) is at or
    above −margin, up to TOLERANCE (so 0.75 − 0.80 at margin 0.05 passes despite float rounding)."""
    if margin < 0:
        raise ValueError("margin must be >= 0")
    return comparison.diff_low >= -margin - TOLERANCE


def cases_needed(sd: float, margin: float, confidence: float = 0.95) -> int:
    """About how many cases make the interval's half-width t·sd/√n no wider than `margin` at this spread."""
    if margin <= 0:
        raise ValueError("margin must be > 0")
    n = 2
    while n < 100_000:
        if scipy_stats.t.ppf(1.0 - (1.0 - confidence) / 2.0, n - 1) * sd / math.sqrt(n) <= margin + TOLERANCE:
            return n
        n = n + 1 if n < 1000 else int(n * 1.1)
    return n
