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
_MAX_LABEL = 30  # characters of a case id that fit the 200 px label column at 11 px


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


_MARKERS = ((_BLUE, 6, True), (_RED, 11, False), (_GREEN, 15, False))  # colour, radius, filled


def _marker(i: int, cx: float, cy: float, tip: str) -> str:
    colour, radius, filled = _MARKERS[i % len(_MARKERS)]
    fill = f'fill="{colour}"' if filled else f'fill="none" stroke="{colour}" stroke-width="2.5"'
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" {fill}><title>{_e(tip)}</title></circle>'


def _cost_plot(summaries: dict[str, Any]) -> str:
    """Cost per case (x) against mean score (y), one marker per variant; unknown cost sits at x=0.

    Variants often land on the same spot (the same score at no cost): each gets its own marker (a dot, a
    ring around it, a wider ring) and its name sits in a legend below the axes, never beside the point,
    so overlapping variants stay visible and their labels never print over each other."""
    width, plot_h, pad, legend_row = 640, 300, 50, 20
    height = plot_h + 16 + legend_row * len(summaries)
    costs = [float(s.mean_cost_usd) for s in summaries.values() if s.mean_cost_usd is not None]
    top = max(costs, default=0.0) * 1.1 or 1.0
    parts = [
        f'<line x1="{pad}" y1="{plot_h - pad}" x2="{width - pad}" y2="{plot_h - pad}" stroke="#555"/>',
        f'<line x1="{pad}" y1="{pad / 2}" x2="{pad}" y2="{plot_h - pad}" stroke="#555"/>',
        _text(width / 2, plot_h - 12, "mean cost per case (USD)", "middle"),
        _text(pad - 6, plot_h - pad + 4, "0", "end"),
        _text(pad - 6, pad / 2 + 4, "1", "end"),
        _text(width - pad, plot_h - pad + 16, f"{top:.4f}", "end"),
    ]
    missing = False
    for i, (name, s) in enumerate(summaries.items()):
        cost = s.mean_cost_usd
        missing = missing or cost is None
        cx = pad + (width - 2 * pad) * (float(cost) if cost is not None else 0.0) / top
        cy = plot_h - pad - (plot_h - 1.5 * pad) * min(max(s.mean_score, 0.0), 1.0)
        tip = f"{name}: cost {_f(cost, 5) if cost is not None else 'unknown'}, score {_f(s.mean_score)}"
        parts.append(_marker(i, cx, cy, tip))
        ly = plot_h + 8 + i * legend_row
        parts.append(_marker(i, pad + 8, ly, tip).replace(f'r="{_MARKERS[i % len(_MARKERS)][1]}"', 'r="6"'))
        parts.append(_text(pad + 22, ly + 4, f"{name}: score {_f(s.mean_score)}, cost "
                           + (_f(cost, 5) if cost is not None else "unknown")))
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
        # a long id is cut to fit its column; the bar's tooltip has it whole
        shown = case_id if len(case_id) <= _MAX_LABEL else case_id[: _MAX_LABEL - 1] + "…"
        parts.append(_text(left - 8, y + 11, shown, "end", 11))
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


def _flaky_section(flaky: dict[tuple[str, str], Any]) -> str:
    mixed = [[v, case, f"{f.failures} of {f.runs}", f"{_pct(f.failure_low)} to {_pct(f.failure_high)}"]
             for (v, case), f in sorted(flaky.items()) if f.mixed]
    table = (_table(["variant", "case", "failed runs", "failure rate (95% CI)"], mixed) if mixed
             else "<p>No case both passed and failed.</p>")
    steady = [f for f in flaky.values() if not f.mixed]
    if not steady:
        return table
    runs = min(f.runs for f in steady)
    bound = max(f.failure_high if f.failures == 0 else 1.0 - f.failure_low for f in steady if f.runs == runs)
    return table + (f'<p class="note">Cases with one outcome over {runs} run(s) each are not proven stable: a '
                    f"case that passed every run may still fail up to {_pct(bound)} of the time (95%). More "
                    "repetitions narrow this.</p>")


def render_report(
    info: RunInfo,
    results: Sequence[CaseResult],
    *,
    summaries: dict[str, Any],
    comparison: Any,
    flaky: dict[tuple[str, str], Any],
    margin: float,
    verdict: Any,
    previous: dict[str, Any] | None = None,
) -> str:
    """Render the whole run as one HTML page with no external resources. `verdict` is the gate's
    (evals/ab/gate.py): its status and, in words, why."""
    c = comparison
    if verdict.promotable:
        line = f'<p class="ok">Verdict: may be promoted: {_e(verdict.reason)}.</p>'
    elif verdict.status == "worse":
        line = f'<p class="bad">Verdict: do not promote: {_e(verdict.reason)}.</p>'
    else:
        label = "inconclusive" if verdict.status == "inconclusive" else "non-inferiority not shown"
        line = f'<p class="bad">Verdict: {label}, not promotable: {_e(verdict.reason)}.</p>'
    stats = (
        f"<p>Mean difference over cases (candidate − baseline) {c.mean_diff:+.3f}, "
        f"95% t-interval [{c.diff_low:+.3f}, {c.diff_high:+.3f}], "
        f"sign-flip p = {c.p_value:.3g}; "
        f"{c.wins} cases better, {c.losses} worse, {c.ties} tied, of {c.n_cases}. "
        "The interval and p weigh how much each case moved; the counts do not.</p>"
    )
    if "offline" in info.providers:
        judged = getattr(verdict, "comparison", None)
        counted = f"{judged.n_cases} case(s)" if judged is not None else "no case"
        stats += (f'<p class="note">The verdict counts {counted} answered by a provider that reads the prompt; '
                  "offline answers (the offline policy never reads it) are plotted here but are no evidence "
                  "about the prompt.</p>")
    header = _table(
        ["suite", "run id", "date", "baseline", "candidate", "repetitions", "providers"],
        [[info.suite, info.run_id, info.created_at.isoformat(timespec="seconds"), info.baseline, info.candidate,
          info.repetitions, ", ".join(info.providers) or "n/a"]],
    )
    variants = _table(
        ["variant", "cases", "runs", "pass rate (95% CI over cases)", "mean score (95% CI over cases)",
         "mean cost USD", "mean latency ms", "p95 latency ms"],
        [[name, s.n_cases, s.n, f"{_pct(s.pass_rate)} [{_pct(s.pass_low)}, {_pct(s.pass_high)}]",
          f"{_f(s.mean_score)} [{_f(s.score_low)}, {_f(s.score_high)}]",
          _f(None if s.mean_cost_usd is None else float(s.mean_cost_usd), 5),
          f"{s.mean_latency_ms:.0f}", f"{s.p95_latency_ms:.0f}"] for name, s in summaries.items()],
    )
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
        f"<h2>Flaky cases</h2>{_flaky_section(flaky)}<h2>Candidate failures</h2>{fail_html}"
        f"{_previous_section(previous, c, summaries)}</body></html>\n"
    )
