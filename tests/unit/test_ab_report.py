"""The A/B report renders one self-contained, escaped HTML page."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

from evals.ab.models import CaseResult, RunInfo
from evals.ab.report import render_report

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
    return SimpleNamespace(variant=variant, n=4, pass_rate=0.5, pass_low=0.1, pass_high=0.9, mean_score=score,
                           score_low=score - 0.1, score_high=score + 0.1, mean_cost_usd=cost,
                           mean_latency_ms=120.0, p95_latency_ms=300.0)


def _render(*, verdict: bool = True, previous: dict[str, object] | None = None) -> str:
    results = [
        CaseResult(case, variant, "offline", rep, score, score > 0.5, ("missing reorder" if score <= 0.5 else "",),
                   Decimal("0.001") if variant == "base@1" else None, 100)
        for variant in ("base@1", "cand@2") for case, score in (("c1", 0.9), (EVIL, 0.2)) for rep in (0, 1)
    ]
    comparison = SimpleNamespace(baseline="base@1", candidate="cand@2", n_cases=2, mean_diff=-0.05, diff_low=-0.2,
                                 diff_high=0.1, p_value=0.41, prob_candidate_better=0.3, wins=1, losses=1, ties=0,
                                 per_case={"c1": 0.1, EVIL: -0.2})
    return render_report(
        INFO, results,
        summaries={"base@1": _summary("base@1", 0.6, 0.001), "cand@2": _summary("cand@2", 0.55, None)},
        comparison=comparison, flaky={("cand@2", EVIL): 0.5, ("base@1", "c1"): 0.0},
        margin=0.1, verdict=verdict, previous=previous,
    )


def test_report_parses_and_carries_the_verdict_plots_and_variants() -> None:
    page = _render()
    parser = _Collector()
    parser.feed(page)
    text = " ".join(parser.text)
    assert "candidate is not worse than baseline beyond margin 0.1" in text
    assert parser.tags.count("svg") == 3
    assert "title" in parser.tags and "th" in parser.tags
    for name in ("base@1", "cand@2"):
        assert name in text
    assert "No previous run" in text
    assert "missing reorder" in text  # the candidate's failure explanation
    assert "cost unknown" in text
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_negative_verdict() -> None:
    assert "candidate is worse: do not promote" in _render(verdict=False)


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
