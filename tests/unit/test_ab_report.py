"""The A/B report renders one self-contained, escaped HTML page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

from evals.ab.gate import Verdict
from evals.ab.models import CaseResult, RunInfo
from evals.ab.report import render_report
from evals.ab.stats import Repeatability

EVIL = "<script>alert(1)</script>"
INFO = RunInfo("run-42", "stock", datetime(2026, 11, 25, 12, 0, tzinfo=UTC), "base@1", "cand@2", 2, ("offline",))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _summary(variant: str, score: float, cost: float | None) -> SimpleNamespace:
    return SimpleNamespace(variant=variant, n=4, n_cases=2, pass_rate=0.5, pass_low=0.1, pass_high=0.9,
                           mean_score=score,
                           score_low=score - 0.1, score_high=score + 0.1, mean_cost_usd=cost,
                           mean_latency_ms=120.0, p95_latency_ms=300.0)


PASS = Verdict("not_worse", "the interval starts above -0.1", None)


def _render(*, verdict: Verdict = PASS, previous: dict[str, object] | None = None,
            summaries: dict[str, SimpleNamespace] | None = None) -> str:
    results = [
        CaseResult(case, variant, "offline", rep, score, score > 0.5, ("missing reorder" if score <= 0.5 else "",),
                   Decimal("0.001") if variant == "base@1" else None, 100)
        for variant in ("base@1", "cand@2") for case, score in (("c1", 0.9), (EVIL, 0.2)) for rep in (0, 1)
    ]
    comparison = SimpleNamespace(baseline="base@1", candidate="cand@2", n_cases=2, mean_diff=-0.05, diff_low=-0.2,
                                 diff_high=0.1, p_value=0.41, wins=1, losses=1, ties=0,
                                 per_case={"c1": 0.1, EVIL: -0.2})
    return render_report(
        INFO, results,
        summaries=summaries or {"base@1": _summary("base@1", 0.6, 0.001), "cand@2": _summary("cand@2", 0.55, None)},
        comparison=comparison,
        flaky={("cand@2", EVIL): Repeatability(2, 1, 0.09, 0.91), ("base@1", "c1"): Repeatability(2, 0, 0.0, 0.66)},
        margin=0.1, verdict=verdict, previous=previous,
    )


def test_report_parses_and_carries_the_verdict_plots_and_variants() -> None:
    page = _render()
    parser = _Collector()
    parser.feed(page)
    text = " ".join(parser.text)
    assert "Verdict: may be promoted: the interval starts above -0.1" in text
    assert parser.tags.count("svg") == 3
    assert "title" in parser.tags and "th" in parser.tags
    for name in ("base@1", "cand@2"):
        assert name in text
    assert "No previous run" in text
    assert "missing reorder" in text  # the candidate's failure explanation
    assert "cost unknown" in text
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_verdicts_say_what_was_shown() -> None:
    worse = _render(verdict=Verdict("worse", "the whole interval lies below -0.1", None))
    assert "Verdict: do not promote: the whole interval lies below -0.1" in worse
    not_shown = _render(verdict=Verdict("not_shown", "non-inferiority not shown: ...", None))
    assert "Verdict: non-inferiority not shown, not promotable" in not_shown and "worse" not in not_shown.split(
        "Verdict")[1].split("</p>")[0]
    offline = _render(verdict=Verdict("inconclusive", "no case read the prompt", None))
    assert "Verdict: inconclusive, not promotable: no case read the prompt" in offline
    assert "The verdict counts no case answered by a provider that reads the prompt" in offline


def test_flaky_section_shows_failure_intervals_and_what_all_pass_cases_may_hide() -> None:
    page = _render()
    assert "1 of 2" in page and "9.0% to 91.0%" in page
    assert "may still fail up to 66.0% of the time" in page
    assert "P(candidate better)" not in page


def test_overlapping_variants_keep_legible_labels() -> None:
    """Two variants with the same score and cost: distinct markers, and names in a legend, not on top of
    each other at the point."""
    page = _render(summaries={"base@1": _summary("base@1", 1.0, None), "cand@2": _summary("cand@2", 1.0, None)})
    start = page.index("<title>Cost versus quality per variant</title>")
    svg = page[start:page.index("</svg>", start)]
    legend_ys = [float(y) for y in re.findall(r'<text x="72.0" y="([0-9.]+)"', svg)]
    assert len(legend_ys) == 2 and abs(legend_ys[1] - legend_ys[0]) >= 16
    assert 'r="6" fill=' in svg and 'r="11" fill="none"' in svg


def test_case_ids_are_escaped() -> None:
    page = _render()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_previous_run_section() -> None:
    page = _render(previous={"run_id": "run-41", "mean_diff": -0.1, "pass_rates": {"cand@2": 0.25}})
    assert "Compared with the previous run of this suite" in page
    assert "run-41" in page
    assert "+25.0 pp" in page
    assert "No previous run" not in page
