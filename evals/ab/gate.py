"""The promotion gate: whether a run's evidence shows the candidate is not worse than the baseline.

Four outcomes, each with the reason in words an engineer can act on:
- `not_worse`: non-inferiority shown (the 95% interval's lower bound is at or above −margin);
- `worse`: the whole interval lies below −margin;
- `not_shown`: the interval reaches below −margin, but the candidate was not shown to be worse;
- `inconclusive`: the run cannot tell the variants apart at all: no case read the prompt (the offline
  policy never does), fewer than MIN_CASES cases, no variation between cases, or an interval wider
  than the margin. Only `not_worse` may be promoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evals.ab import stats
from evals.ab.models import CaseResult

MIN_CASES = 10
PROMPT_BLIND_PROVIDERS = frozenset({"offline"})  # answers by rules: the prompt under test is never read


@dataclass(frozen=True)
class Verdict:
    status: str  # not_worse | worse | not_shown | inconclusive
    reason: str
    comparison: stats.PairedComparison | None  # over the cases that read the prompt; None when there are none

    @property
    def promotable(self) -> bool:
        return self.status == "not_worse"


def prompt_reading(results: Sequence[CaseResult]) -> list[CaseResult]:
    """The rows answered by a provider that reads the prompt (a fallback to the offline policy does not)."""
    return [r for r in results if r.provider not in PROMPT_BLIND_PROVIDERS]


def classify(n_cases: np.ndarray, diff_low: np.ndarray, diff_high: np.ndarray, diff_sd: np.ndarray,
             all_tied: np.ndarray, margin: float) -> np.ndarray:
    """The gate's rule over arrays of comparisons (vectorised so a simulation can run it 1,000s of
    times): one of few_cases, all_tied, no_variation, worse, too_wide, not_worse, not_shown, in that
    order of precedence."""
    tol = stats.TOLERANCE
    conditions = [n_cases < MIN_CASES, all_tied, diff_sd <= 1e-12, diff_high < -margin - tol,
                  (diff_high - diff_low) / 2 > margin + tol, diff_low >= -margin - tol]
    choices = ["few_cases", "all_tied", "no_variation", "worse", "too_wide", "not_worse"]
    return np.select(conditions, choices, default="not_shown")


def judge(results: Sequence[CaseResult], *, baseline: str, candidate: str, margin: float) -> Verdict:
    if margin <= 0:
        raise ValueError("margin must be > 0")
    readable = prompt_reading(results)
    variants = {r.variant for r in readable}
    if baseline not in variants or candidate not in variants:
        seen = ", ".join(sorted({r.provider for r in results})) or "none"
        return Verdict("inconclusive", f"no case read the prompt (providers: {seen}; the offline policy never "
                       "reads it): run the evals with --providers claude or ollama", None)
    try:
        c = stats.paired_comparison(readable, baseline=baseline, candidate=candidate)
    except ValueError:
        return Verdict("inconclusive", "no case read the prompt under both variants", None)
    code = str(classify(np.asarray([c.n_cases]), np.asarray([c.diff_low]), np.asarray([c.diff_high]),
                        np.asarray([c.diff_sd]), np.asarray([c.ties == c.n_cases]), margin)[0])
    interval = f"[{c.diff_low:+.3f}, {c.diff_high:+.3f}]"
    half = (c.diff_high - c.diff_low) / 2
    reasons = {
        "few_cases": ("inconclusive", f"too few cases: {c.n_cases} read the prompt under both variants, at least "
                      f"{MIN_CASES} are needed"),
        "all_tied": ("inconclusive", f"the variants scored the same on all {c.n_cases} cases: nothing tells them "
                     "apart"),
        "no_variation": ("inconclusive", f"every case moved by exactly {c.mean_diff:+.3f}: with no variation "
                         "between cases the interval cannot be estimated"),
        "worse": ("worse", f"the candidate is worse by more than the margin {margin:g}: the whole 95% interval "
                  f"{interval} lies below {-margin:+g}"),
        "too_wide": ("inconclusive", f"too few cases for margin {margin:g}: the 95% interval is ±{half:.3f} over "
                     f"{c.n_cases} cases; at this spread about {stats.cases_needed(c.diff_sd, margin)} are needed"),
        "not_worse": ("not_worse", f"not worse than the baseline beyond margin {margin:g}: the 95% interval "
                      f"{interval} starts at or above {-margin:+g}"),
        "not_shown": ("not_shown", f"non-inferiority not shown: the 95% interval {interval} reaches below "
                      f"{-margin:+g}"),
    }
    status, reason = reasons[code]
    return Verdict(status, reason, c)
