"""One self-contained HTML page for an A/B eval run: verdict, tables and inline SVG plots."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from evals.ab.models import CaseResult, RunInfo

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;background:#fff;max-width:960px}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #888;padding:.3rem .6rem;text-align:left}
th{background:#e8e8e8}.ok{color:#0a5c1f;font-weight:bold}.bad{color:#9b1111;font-weight:bold}
svg{display:block;margin:1rem 0;background:#fafafa;border:1px solid #ccc}.note{color:#444;font-size:.9rem}
"""
_GREEN, _RED, _BLUE = "#1b7a34", "#b3261e", "#1f4e9c"
_MAX_FAILURES = 20


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _svg(title: str, width: int, height: int, inner: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{_e(title)}</title>{inner}</svg>'
    )


def _text(x: float, y: float, label: object, anchor: str = "start", size: int = 12) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="#1a1a1a">{_e(label)}</text>'


def _score_plot(summaries: dict[str, Any]) -> str:
    """Mean score per variant as a dot with its 95% CI as an error bar; scores live in 0..1."""
    width, left, row = 640, 180, 36
    height = 40 + row * max(len(summaries), 1)
    span = width - left - 30

    def x(v: float) -> float:
        return left + span * min(max(v, 0.0), 1.0)

    parts = [f'<line x1="{x(t)}" y1="20" x2="{x(t)}" y2="{height - 20}" stroke="#ccc"/>' for t in (0, 0.5, 1)]
    parts += [_text(x(t), height - 6, f"{t:.1f}", "middle") for t in (0, 0.5, 1)]
    for i, (name, s) in enumerate(summaries.items()):
        y = 34 + i * row
        parts.append(_text(left - 8, y + 4, name, "end"))
        parts.append(
            f'<line x1="{x(s.score_low):.1f}" y1="{y}" x2="{x(s.score_high):.1f}" y2="{y}" stroke="{_BLUE}" '
            f'stroke-width="2"><title>{_e(name)}: {_f(s.score_low)} to {_f(s.score_high)}</title></line>'
        )
        parts.append(
            f'<circle cx="{x(s.mean_score):.1f}" cy="{y}" r="5" fill="{_BLUE}">'
            f"<title>{_e(name)}: mean score {_f(s.mean_score)}</title></circle>"
        )
    return _svg("Mean score by variant with 95% confidence intervals", width, height, "".join(parts))


def _cost_plot(summaries: dict[str, Any]) -> str:
    """Cost per case (x) against mean score (y), one labelled point per variant; unknown cost sits at x=0."""
    width, height, pad = 640, 320, 50
    costs = [float(s.mean_cost_usd) for s in summaries.values() if s.mean_cost_usd is not None]
    top = max(costs, default=0.0) * 1.1 or 1.0
    parts = [
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#555"/>',
        f'<line x1="{pad}" y1="{pad / 2}" x2="{pad}" y2="{height - pad}" stroke="#555"/>',
        _text(width / 2, height - 12, "mean cost per case (USD)", "middle"),
        _text(pad - 6, height - pad + 4, "0", "end"),
        _text(pad - 6, pad / 2 + 4, "1", "end"),
        _text(width - pad, height - pad + 16, f"{top:.4f}", "end"),
    ]
    missing = False
    for name, s in summaries.items():
        cost = s.mean_cost_usd
        missing = missing or cost is None
        cx = pad + (width - 2 * pad) * (float(cost) if cost is not None else 0.0) / top
        cy = height - pad - (height - 1.5 * pad) * min(max(s.mean_score, 0.0), 1.0)
        tip = f"{name}: cost {_f(cost, 5) if cost is not None else 'unknown'}, score {_f(s.mean_score)}"
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{_BLUE}"><title>{_e(tip)}</title></circle>')
        parts.append(_text(cx + 9, cy - 8, name + (" (cost unknown)" if cost is None else "")))
    note = '<p class="note">Variants with unknown cost are drawn at x = 0.</p>' if missing else ""
    return _svg("Cost versus quality per variant", width, height, "".join(parts)) + note


def _diff_plot(per_case: dict[str, float]) -> str:
    """Per-case candidate minus baseline, sorted, as horizontal bars around a zero line."""
    items = sorted(per_case.items(), key=lambda kv: kv[1])
    width, left, row = 640, 200, 18
    height = 30 + row * max(len(items), 1)
    mid, half = left + (width - left - 20) / 2, (width - left - 20) / 2
    scale = max((abs(v) for _, v in items), default=0.0) or 1.0
    parts = [f'<line x1="{mid}" y1="10" x2="{mid}" y2="{height - 10}" stroke="#555"/>']
    for i, (case_id, diff) in enumerate(items):
        y, w = 15 + i * row, half * abs(diff) / scale
        colour = _GREEN if diff >= 0 else _RED
        x0 = mid if diff >= 0 else mid - w
        parts.append(_text(left - 8, y + 11, case_id, "end", 11))
        parts.append(
            f'<rect x="{x0:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{row - 4}" fill="{colour}">'
            f"<title>{_e(case_id)}: {diff:+.3f}</title></rect>"
        )
    return _svg("Per-case score difference, candidate minus baseline", width, height, "".join(parts))


def _previous_section(previous: dict[str, Any] | None, comparison: Any, summaries: dict[str, Any]) -> str:
    if not previous:
        return "<h2>Compared with the previous run of this suite</h2><p>No previous run.</p>"
    rows: list[list[object]] = []
    if previous.get("mean_diff") is not None:
        prev = float(previous["mean_diff"])
        rows.append(["mean difference", _f(prev), _f(comparison.mean_diff), f"{comparison.mean_diff - prev:+.3f}"])
    for name, rate in dict(previous.get("pass_rates", {})).items():
        now = summaries.get(name)
        if now is not None:
            change = f"{100 * (now.pass_rate - rate):+.1f} pp"
            rows.append([f"pass rate {name}", _pct(rate), _pct(now.pass_rate), change])
    return (
        f"<h2>Compared with the previous run of this suite</h2><p>Previous run: {_e(previous.get('run_id', '?'))}</p>"
        + _table(["measure", "previous", "this run", "change"], rows)
    )


def render_report(
    info: RunInfo,
    results: Sequence[CaseResult],
    *,
    summaries: dict[str, Any],
    comparison: Any,
    flaky: dict[tuple[str, str], float],
    margin: float,
    verdict: bool,
    previous: dict[str, Any] | None = None,
) -> str:
    """Render the whole run as one HTML page with no external resources."""
    c = comparison
    if verdict:
        line = f'<p class="ok">Verdict: candidate is not worse than baseline beyond margin {margin:g}.</p>'
    else:
        line = '<p class="bad">Verdict: candidate is worse: do not promote.</p>'
    stats = (
        f"<p>Mean difference (candidate − baseline) {c.mean_diff:+.3f}, "
        f"95% CI [{c.diff_low:+.3f}, {c.diff_high:+.3f}], "
        f"p = {c.p_value:.3g}, P(candidate better) = {c.prob_candidate_better:.2f}; "
        f"{c.wins} wins, {c.losses} losses, {c.ties} ties over {c.n_cases} cases.</p>"
    )
    header = _table(
        ["suite", "run id", "date", "baseline", "candidate", "repetitions", "providers"],
        [[info.suite, info.run_id, info.created_at.isoformat(timespec="seconds"), info.baseline, info.candidate,
          info.repetitions, ", ".join(info.providers) or "n/a"]],
    )
    variants = _table(
        ["variant", "n", "pass rate (95% CI)", "mean score (95% CI)", "mean cost USD", "mean latency ms",
         "p95 latency ms"],
        [[name, s.n, f"{_pct(s.pass_rate)} [{_pct(s.pass_low)}, {_pct(s.pass_high)}]",
          f"{_f(s.mean_score)} [{_f(s.score_low)}, {_f(s.score_high)}]",
          _f(None if s.mean_cost_usd is None else float(s.mean_cost_usd), 5),
          f"{s.mean_latency_ms:.0f}", f"{s.p95_latency_ms:.0f}"] for name, s in summaries.items()],
    )
    flaky_rows = [[v, case, f"{f:.2f}"] for (v, case), f in sorted(flaky.items()) if f > 0]
    flaky_html = _table(["variant", "case", "flakiness"], flaky_rows) if flaky_rows else "<p>No flaky cases.</p>"
    failed = [r for r in results if r.variant == info.candidate and not r.passed]
    fail_rows = [[r.case_id, r.provider, r.repetition, f"{r.score:.2f}", "; ".join(r.explanations)]
                 for r in failed[:_MAX_FAILURES]]
    fail_html = (_table(["case", "provider", "repetition", "score", "explanation"], fail_rows)
                 if fail_rows else "<p>The candidate failed no cases.</p>")
    if len(failed) > _MAX_FAILURES:
        fail_html += f'<p class="note">Showing {_MAX_FAILURES} of {len(failed)} failures.</p>'
    title = f"A/B eval {info.suite}: {info.candidate} vs {info.baseline}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{_e(title)}</h1>{header}{line}{stats}"
        f"<h2>Variants</h2>{variants}<h2>Mean score</h2>{_score_plot(summaries)}"
        f"<h2>Cost versus quality</h2>{_cost_plot(summaries)}"
        f"<h2>Per-case differences</h2>{_diff_plot(dict(c.per_case))}"
        f"<h2>Flaky cases</h2>{flaky_html}<h2>Candidate failures</h2>{fail_html}"
        f"{_previous_section(previous, c, summaries)}</body></html>\n"
    )
