"""Statistics for A/B prompt evals: pure functions over CaseResult rows (numpy + the standard library only)."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from evals.ab.models import CaseResult

_EPS = 1e-12  # |diff| at or below this counts as a tie
_EXACT_MAX_CASES = 16
_RANDOM_FLIPS = 20_000


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion p̂ = successes / n.

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
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def bootstrap_mean_ci(
    values: Sequence[float], *, confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """(mean, low, high): percentile bootstrap of the sample mean.

    Draws `resamples` samples of size n with replacement (numpy Generator seeded with `seed`);
    low/high are the α/2 and 1 − α/2 quantiles of the resampled means.
    """
    _check_confidence(confidence)
    if not values:
        raise ValueError("bootstrap_mean_ci needs at least one value")
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(resamples, arr.size))].mean(axis=1)
    alpha = 1.0 - confidence
    low, high = np.quantile(means, [alpha / 2.0, 1.0 - alpha / 2.0])
    return (mean, float(low), float(high))


@dataclass(frozen=True)
class VariantSummary:
    variant: str
    n: int
    pass_rate: float
    pass_low: float  # Wilson 95%
    pass_high: float
    mean_score: float
    score_low: float  # bootstrap 95%
    score_high: float
    mean_cost_usd: float | None  # None when any result has no cost
    mean_latency_ms: float
    p95_latency_ms: float  # linear-interpolated percentile


def summarize(results: Sequence[CaseResult]) -> dict[str, VariantSummary]:
    """One VariantSummary per variant, over all its rows (cases x providers x repetitions)."""
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        groups[r.variant].append(r)
    out: dict[str, VariantSummary] = {}
    for variant, rows in groups.items():
        passes = sum(r.passed for r in rows)
        low, high = wilson_interval(passes, len(rows))
        mean_score, score_low, score_high = bootstrap_mean_ci([r.score for r in rows])
        costs = [r.cost_usd for r in rows]
        mean_cost = None if any(c is None for c in costs) else float(sum(c for c in costs if c is not None)) / len(rows)
        latencies = np.asarray([r.latency_ms for r in rows], dtype=float)
        out[variant] = VariantSummary(
            variant=variant, n=len(rows), pass_rate=passes / len(rows), pass_low=low, pass_high=high,
            mean_score=mean_score, score_low=score_low, score_high=score_high, mean_cost_usd=mean_cost,
            mean_latency_ms=float(latencies.mean()), p95_latency_ms=float(np.percentile(latencies, 95)),
        )
    return out


@dataclass(frozen=True)
class PairedComparison:
    baseline: str
    candidate: str
    n_cases: int
    mean_diff: float  # candidate − baseline, mean over cases of per-case mean scores
    diff_low: float  # bootstrap 95% CI over cases
    diff_high: float
    p_value: float  # two-sided sign-flip permutation test
    prob_candidate_better: float  # exact Beta-posterior P(p > 0.5)
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


def prob_better(wins: int, losses: int) -> float:
    """P(p > 0.5) for p ~ Beta(1 + wins, 1 + losses), the posterior under a Beta(1, 1) prior.

    Exact, via the integer-parameter identity I_x(a, b) = P(Binomial(a + b − 1, x) >= a):
    P(p > 1/2) = P(Binomial(wins + losses + 1, 1/2) <= wins) = Σ_{k=0}^{wins} C(m, k) / 2^m, m = wins + losses + 1.
    """
    m = wins + losses + 1
    return sum(math.comb(m, k) for k in range(wins + 1)) / (1 << m)


def _per_case_means(results: Sequence[CaseResult], variant: str) -> dict[str, float]:
    scores: dict[str, list[float]] = defaultdict(list)
    for r in results:
        if r.variant == variant:
            scores[r.case_id].append(r.score)
    return {case: sum(s) / len(s) for case, s in scores.items()}


def paired_comparison(results: Sequence[CaseResult], *, baseline: str, candidate: str) -> PairedComparison:
    """Pair the two variants on case_id (cases present for both only).

    Per case, dᵢ = mean candidate score − mean baseline score (means over providers and repetitions);
    mean_diff = mean of dᵢ, with a bootstrap CI over cases; win/loss/tie is the sign of dᵢ (|dᵢ| <= 1e-12 ties).
    """
    base, cand = _per_case_means(results, baseline), _per_case_means(results, candidate)
    cases = sorted(base.keys() & cand.keys())
    if not cases:
        raise ValueError(f"no case has results for both {baseline!r} and {candidate!r}")
    per_case = {c: cand[c] - base[c] for c in cases}
    diffs = list(per_case.values())
    mean, low, high = bootstrap_mean_ci(diffs)
    wins = sum(d > _EPS for d in diffs)
    losses = sum(d < -_EPS for d in diffs)
    return PairedComparison(
        baseline=baseline, candidate=candidate, n_cases=len(cases), mean_diff=mean, diff_low=low, diff_high=high,
        p_value=_sign_flip_p_value(diffs), prob_candidate_better=prob_better(wins, losses),
        wins=wins, losses=losses, ties=len(cases) - wins - losses, per_case=per_case,
    )


def flakiness(results: Sequence[CaseResult]) -> dict[tuple[str, str], float]:
    """Per (variant, case_id): min(passes, fails) / runs, the share disagreeing with the majority outcome.

    0 = stable; 0.5 = coin flip (an even split counts as 0.5). Runs pool all providers and repetitions.
    """
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        counts[(r.variant, r.case_id)][0 if r.passed else 1] += 1
    return {key: min(p, f) / (p + f) for key, (p, f) in counts.items()}


def not_worse(comparison: PairedComparison, *, margin: float) -> bool:
    """Non-inferiority: True when diff_low >= −margin.

    I.e. the lower bound of the 95% CI of (candidate − baseline) mean score lies at or above −margin, so
    the data rule out the candidate being worse by more than `margin` (in score units, 0..1).
    """
    if margin < 0:
        raise ValueError("margin must be >= 0")
    return comparison.diff_low >= -margin
