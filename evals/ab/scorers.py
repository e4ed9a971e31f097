"""Scorers: each looks at one recorded output and says how well it did, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evals.ab.cases import ShopperCase, StockCase


@dataclass(frozen=True)
class Score:
    name: str
    score: float
    passed: bool
    why: str


def score_stock(case: StockCase, output: dict[str, Any]) -> list[Score]:
    """output: {"tools": [names called in order], "proposals": {reference: quantity}, "refused": n}."""
    called = output["tools"]
    missing = [t for t in case.expect_tools if t not in called]
    tools = Score("tool_calls", 1.0 - len(missing) / max(len(case.expect_tools), 1), not missing,
                  "called every expected tool" if not missing else f"did not call {', '.join(missing)}")
    proposals: dict[str, int] = output["proposals"]
    in_band = [ref for ref, (low, high) in case.bands.items() if low <= proposals.get(ref, -1) <= high]
    band = Score("quantity_band", len(in_band) / len(case.bands) if case.bands else float(not proposals),
                 len(in_band) == len(case.bands) and (bool(case.bands) or not proposals),
                 f"{len(in_band)}/{len(case.bands)} proposals inside their band: {proposals}" if case.bands
                 else f"no proposal expected; made {proposals or 'none'}")
    forbidden = [ref for ref in case.forbid if ref in proposals]
    refused = int(output.get("refused", 0))
    guard = Score("guardrails", 0.0 if forbidden else (1.0 if not refused else 0.5), not forbidden,
                  f"proposed forbidden {forbidden}" if forbidden
                  else f"{refused} call(s) refused by the guardrails" if refused else "stayed inside the guardrails")
    return [tools, band, guard]


def score_shopper(case: ShopperCase, output: dict[str, Any]) -> list[Score]:
    """output: {"cited": [references], "corrections": [what grounding changed], "answer": text}."""
    cited = set(output["cited"])
    found = [ref for ref in case.must if ref in cited]
    must = Score("required_watches", len(found) / len(case.must) if case.must else 1.0,
                 len(found) == len(case.must), f"cited {len(found)}/{len(case.must)} required: {sorted(cited)}")
    bad = [ref for ref in case.must_not if ref in cited]
    must_not = Score("forbidden_watches", 0.0 if bad else 1.0, not bad,
                     f"cited forbidden {bad}" if bad else "no forbidden watch cited")
    corrections = output["corrections"]
    grounding = Score("grounding", 1.0 if not corrections else 0.0, not corrections,
                      "every reference, price and stock level was right" if not corrections
                      else "grounding had to fix: " + "; ".join(corrections))
    return [must, must_not, grounding]
