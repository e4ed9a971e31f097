"""The shopper assistant's suite (evals/cases/assistant.yaml): each question answered as a shopper
would get it, scored on three things, each explained:

- intent: did the answer do the kind of thing the question asked for (read the policy, look up the
  caller's orders, check stock, compare, rank, search, or decline)? Read from the tools the run called.
- relevance: every cited watch meets the question's constraints; the required watches are cited, the
  forbidden ones are not; policy, order and out-of-scope answers cite no watches at all.
- grounding: nothing had to be corrected (invented references, wrong prices, quoted instructions)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from agent.loop import AgentLoop
from agent.shopper import answer
from commerce.catalog import repo as catalog_repo
from db.pool import Pool
from evals.ab.scorers import Score
from rag.embedder import Embedder
from tools.shopper import ShopperContext

CASES = Path(__file__).resolve().parent.parent / "cases" / "assistant.yaml"
# The kind of answer a run gave, from the tools it called (the most specific one wins).
TOOL_KINDS = (("get_my_orders", "orders"), ("get_store_policy", "policy"), ("compare_watches", "compare"),
              ("rank_watches", "superlative"), ("check_stock", "stock"), ("search_watches", "search"),
              ("get_watch", "search"))
NO_WATCHES = frozenset({"policy", "orders", "out_of_scope"})


@dataclass(frozen=True)
class AssistantCase:
    id: str
    question: str
    intent: str
    topic: str | None = None
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    max_price: Decimal | None = None
    category: str | None = None
    movement: str | None = None
    min_water_m: int | None = None


@dataclass
class AssistantResult:
    case: AssistantCase
    kind: str
    cited: list[dict[str, Any]]
    answer: str
    scores: list[Score] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.scores)


def load_cases(path: Path = CASES) -> list[AssistantCase]:
    cases = []
    for raw in yaml.safe_load(path.read_text()):
        cases.append(AssistantCase(
            id=raw["id"], question=raw["question"], intent=raw["intent"], topic=raw.get("topic"),
            must=tuple(raw.get("must") or ()), must_not=tuple(raw.get("must_not") or ()),
            max_price=Decimal(str(raw["max_price"])) if raw.get("max_price") is not None else None,
            category=raw.get("category"), movement=raw.get("movement"), min_water_m=raw.get("min_water_m")))
    return cases


def answered_kind(tools: list[str]) -> str:
    for tool, kind in TOOL_KINDS:
        if tool in tools:
            return kind
    return "out_of_scope"


def score(case: AssistantCase, *, kind: str, cited: list[dict[str, Any]], facts: dict[str, dict[str, Any]],
          corrections: list[str]) -> list[Score]:
    intent = Score("intent", float(kind == case.intent), kind == case.intent,
                   f"answered as {kind}" + ("" if kind == case.intent else f", asked for {case.intent}"))
    refs = [c["reference"] for c in cited]
    problems = []
    if case.intent in NO_WATCHES and refs:
        problems.append(f"cited {refs} for a {case.intent} question")
    problems += [f"did not cite {r}" for r in case.must if r not in refs]
    problems += [f"cited forbidden {r}" for r in case.must_not if r in refs]
    for ref in refs:
        w = facts.get(ref)
        if w is None:
            continue
        if case.max_price is not None and Decimal(str(w["price"])) > case.max_price:
            problems.append(f"{ref} costs ${w['price']}, over ${case.max_price}")
        if case.category and w["category"] != case.category:
            problems.append(f"{ref} is {w['category']}, not {case.category}")
        if case.movement and w["movement"] != case.movement:
            problems.append(f"{ref} is {w['movement']}, not {case.movement}")
        if case.min_water_m and w["water_resistance_m"] < case.min_water_m:
            problems.append(f"{ref} is rated {w['water_resistance_m']} m, under {case.min_water_m} m")
    relevance = Score("relevance", 0.0 if problems else 1.0, not problems,
                      "; ".join(problems) or f"{len(refs)} cited watch(es), all fitting")
    grounding = Score("grounding", 0.0 if corrections else 1.0, not corrections,
                      "; ".join(corrections) or "nothing to correct")
    return [intent, relevance, grounding]


async def run_suite(loop: AgentLoop, pool: Pool, embedder: Embedder | None,
                    cases: list[AssistantCase] | None = None) -> list[AssistantResult]:
    """Every case once, as an anonymous shopper, on `pool` (a sandbox: evals/ab/sandbox.py)."""
    async with pool.connection() as conn:
        facts = {w["reference"]: w for w in await catalog_repo.active_watches(conn)}
    results = []
    for case in cases or load_cases():
        context = ShopperContext(pool=pool, embedder=embedder, customer_id=None)
        reply = await answer(loop, pool, context=context, question=case.question, history=[],
                             session_id=uuid.uuid4(), agent="eval", trigger=f"eval:assistant:{case.id}")
        kind = answered_kind([c.name for c in reply.run.tool_calls])
        result = AssistantResult(case, kind, reply.grounded.cited, reply.grounded.text)
        result.scores = score(case, kind=kind, cited=reply.grounded.cited, facts=facts,
                              corrections=reply.grounded.corrections)
        results.append(result)
    return results


def summary(results: list[AssistantResult]) -> dict[str, dict[str, float]]:
    """Per intent: the share of cases passing each scorer, and in all."""
    table: dict[str, dict[str, float]] = {}
    for intent in [*sorted({r.case.intent for r in results}), "all"]:
        group = [r for r in results if intent in ("all", r.case.intent)]
        row = {name: sum(s.passed for r in group for s in r.scores if s.name == name) / len(group)
               for name in ("intent", "relevance", "grounding")}
        row["passed"] = sum(r.passed for r in group) / len(group)
        row["cases"] = len(group)
        table[intent] = row
    return table
