"""Run every case against a baseline and a candidate prompt variant, on each provider, N times.

Each case runs inside a transaction that is rolled back, so the agents' writes (proposals, stock
changes, chat turns) never touch the store; results are stored afterwards with the raw outputs,
so a run can be scored again (`rescore`) without calling any model."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agent.gateway import Gateway
from agent.loop import AgentLoop, RunResult
from agent.shopper import PROMPT as SHOPPER_PROMPT
from agent.shopper import answer
from agent.stock_agent import PROMPT as STOCK_PROMPT
from agent.stock_agent import run_stock_agent
from commerce.replenishment.models import ReorderPolicy
from db.pool import Conn
from evals.ab import repo, stats
from evals.ab.cases import ShopperCase, StockCase, load_shopper_cases, load_stock_cases
from evals.ab.models import CaseResult, RunInfo
from evals.ab.report import render_report
from evals.ab.scorers import Score, score_shopper, score_stock
from prompts.registry import PromptRegistry
from rag.embedder import Embedder
from tools.shopper import SHOPPER_TOOLS, ShopperContext
from tools.stock import STOCK_TOOLS

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Variant:
    name: str  # "label@vN"
    version: int


async def _variant(conn: Conn, prompts: PromptRegistry, prompt: str, label_or_version: str) -> Variant:
    if label_or_version.isdigit():
        found = await prompts.get(conn, prompt, version=int(label_or_version))
        return Variant(f"v{found.version}", found.version)
    found = await prompts.get(conn, prompt, label=label_or_version)
    return Variant(f"{label_or_version}@v{found.version}", found.version)


async def _stock_case(conn: Conn, case: StockCase, loop: AgentLoop, policy: ReorderPolicy, variant: Variant,
                      trigger: str) -> tuple[dict[str, Any], RunResult]:
    if case.restock_all:
        await conn.execute("UPDATE inventory SET available = reorder_point + 50")
    await conn.execute("UPDATE reorder_proposals SET status = 'expired' WHERE status IN ('pending', 'approved')")
    for reference, available in case.stock.items():
        await conn.execute("UPDATE inventory SET available = %s FROM watches w WHERE w.id = inventory.watch_id "
                           "AND w.reference = %s", (available, reference))
    alert = {"fingerprint": f"eval-{case.id}", **case.alert}
    result = await run_stock_agent(conn, loop, trigger=trigger, policy=policy, alert=alert,
                                   prompt_version=variant.version, agent="eval")
    cur = await conn.execute("SELECT w.reference, p.quantity FROM reorder_proposals p JOIN watches w "
                             "ON w.id = p.watch_id WHERE p.decision_id = %s", (result.decision_id,))
    proposals = {r["reference"]: r["quantity"] for r in await cur.fetchall()}
    output = {"tools": [c["name"] for c in result.tool_calls], "proposals": proposals,
              "refused": sum(1 for c in result.tool_calls if c["status"] == "error"), "text": result.text}
    return output, result


async def _shopper_case(conn: Conn, case: ShopperCase, loop: AgentLoop, embedder: Embedder | None,
                        variant: Variant, trigger: str) -> tuple[dict[str, Any], RunResult]:
    context = ShopperContext(conn=conn, embedder=embedder, customer_id=None)
    reply = await answer(conn, loop, context=context, question=case.question, history=[], session_id=uuid.uuid4(),
                         prompt_version=variant.version, agent="eval", trigger=trigger)
    output = {"cited": [c["reference"] for c in reply.grounded.cited], "corrections": reply.grounded.corrections,
              "answer": reply.grounded.text}
    return output, reply.run


def _score(suite: str, case: Any, output: dict[str, Any]) -> list[Score]:
    return score_stock(case, output) if suite == "stock" else score_shopper(case, output)


async def run_suite(
    conn: Conn, *, suite: str, gateway_for: Callable[[str], Gateway], providers: list[str], baseline: str,
    candidate: str, repetitions: int = 3, margin: float = 0.05, policy: ReorderPolicy | None = None,
    embedder: Embedder | None = None, prompts: PromptRegistry | None = None, progress: Progress | None = None,
) -> uuid.UUID:
    prompts = prompts or PromptRegistry()
    prompt = STOCK_PROMPT if suite == "stock" else SHOPPER_PROMPT
    cases: list[Any] = load_stock_cases() if suite == "stock" else load_shopper_cases()
    variants = [await _variant(conn, prompts, prompt, baseline), await _variant(conn, prompts, prompt, candidate)]
    run_id = uuid.uuid4()
    results: list[CaseResult] = []
    outputs: list[tuple[CaseResult, dict[str, Any], uuid.UUID]] = []
    total, done = len(cases) * len(variants) * len(providers) * repetitions, 0
    for provider in providers:
        loop = AgentLoop(gateway_for(provider), STOCK_TOOLS if suite == "stock" else SHOPPER_TOOLS)
        for case in cases:
            for variant in variants:
                for repetition in range(1, repetitions + 1):
                    started = time.perf_counter()
                    async with conn.transaction(force_rollback=True):
                        if suite == "stock":
                            output, run = await _stock_case(conn, case, loop, policy or ReorderPolicy(), variant,
                                                            f"eval:{run_id}")
                        else:
                            output, run = await _shopper_case(conn, case, loop, embedder, variant, f"eval:{run_id}")
                    scores = _score(suite, case, output)
                    result = CaseResult(
                        case_id=case.id, variant=variant.name, provider=run.provider or provider,
                        repetition=repetition, score=sum(s.score for s in scores) / len(scores),
                        passed=all(s.passed for s in scores), explanations=tuple(f"{s.name}: {s.why}" for s in scores),
                        cost_usd=run.cost_usd, latency_ms=int((time.perf_counter() - started) * 1000),
                        input_tokens=run.usage.input_tokens, output_tokens=run.usage.output_tokens)
                    results.append(result)
                    outputs.append((result, output, run.decision_id))
                    done += 1
                    if progress:
                        progress(done, total)
    info = RunInfo(run_id=str(run_id), suite=suite, created_at=datetime.now(UTC), baseline=variants[0].name,
                   candidate=variants[1].name, repetitions=repetitions, providers=tuple(providers))
    async with conn.transaction():
        await _store_run(conn, info, prompt, variants, margin, results)
        for result, output, decision_id in outputs:
            await _store_result(conn, run_id, result, output, decision_id)
    return run_id


async def _store_run(conn: Conn, info: RunInfo, prompt: str, variants: list[Variant], margin: float,
                     results: list[CaseResult]) -> None:
    comparison = stats.paired_comparison(results, baseline=info.baseline, candidate=info.candidate)
    verdict = stats.not_worse(comparison, margin=margin)
    previous = await _previous(conn, info.suite, prompt)
    html = render_report(info, results, summaries=stats.summarize(results), comparison=comparison,
                         flaky=stats.flakiness(results), margin=margin, verdict=verdict, previous=previous)
    await repo.save_run(conn, {
        "id": info.run_id, "suite": info.suite, "prompt_name": prompt, "baseline": info.baseline,
        "candidate": info.candidate, "baseline_version": variants[0].version,
        "candidate_version": variants[1].version, "repetitions": info.repetitions, "providers": list(info.providers),
        "margin": margin, "mean_diff": comparison.mean_diff, "diff_low": comparison.diff_low,
        "diff_high": comparison.diff_high, "p_value": comparison.p_value, "not_worse": verdict, "report_html": html})


async def _store_result(conn: Conn, run_id: uuid.UUID, r: CaseResult, output: dict[str, Any],
                        decision_id: uuid.UUID) -> None:
    await repo.save_result(conn, run_id=run_id, result=r, output=output)


async def _previous(conn: Conn, suite: str, prompt: str) -> dict[str, Any] | None:
    row = await repo.latest_run(conn, suite=suite, prompt=prompt)
    if row is None:
        return None
    return {"run_id": str(row["id"]), "mean_diff": row["mean_diff"],
            "pass_rates": await repo.pass_rates(conn, run_id=row["id"])}


async def load_results(conn: Conn, run_id: uuid.UUID) -> tuple[dict[str, Any], list[tuple[CaseResult, dict[str, Any]]]]:
    run = await repo.get_run(conn, run_id=run_id)
    if run is None:
        raise KeyError(f"no eval run {run_id}")
    rows = [(CaseResult(case_id=r["case_id"], variant=r["variant"], provider=r["provider"],
                        repetition=r["repetition"], score=r["score"], passed=r["passed"],
                        explanations=tuple(r["explanations"]), cost_usd=r["cost_usd"], latency_ms=r["latency_ms"],
                        input_tokens=r["input_tokens"], output_tokens=r["output_tokens"]), r["output"])
            for r in await repo.get_results(conn, run_id=run_id)]
    return run, rows


async def rescore(conn: Conn, run_id: uuid.UUID) -> list[CaseResult]:
    """Score a stored run again with the current scorers, from its recorded outputs: no model is called."""
    run, rows = await load_results(conn, run_id)
    cases = {c.id: c for c in (load_stock_cases() if run["suite"] == "stock" else load_shopper_cases())}
    rescored = []
    async with conn.transaction():
        await repo.delete_results(conn, run_id=run_id)
        for old, output in rows:
            scores = _score(run["suite"], cases[old.case_id], output)
            new = CaseResult(old.case_id, old.variant, old.provider, old.repetition,
                             sum(s.score for s in scores) / len(scores), all(s.passed for s in scores),
                             tuple(f"{s.name}: {s.why}" for s in scores), old.cost_usd, old.latency_ms,
                             old.input_tokens, old.output_tokens)
            rescored.append(new)
            await _store_result(conn, run_id, new, output, uuid.uuid4())
        info = RunInfo(run_id=str(run_id), suite=run["suite"], created_at=run["created_at"], baseline=run["baseline"],
                       candidate=run["candidate"], repetitions=run["repetitions"], providers=tuple(run["providers"]))
        variants = [Variant(run["baseline"], run["baseline_version"]),
                    Variant(run["candidate"], run["candidate_version"])]
        await _store_run(conn, info, run["prompt_name"], variants, float(run["margin"]), rescored)
    return rescored


async def promote(conn: Conn, *, run_id: uuid.UUID, label: str = "production", prompts: PromptRegistry | None = None
                  ) -> bool:
    """Move `label` to the run's candidate version only if the candidate was not worse beyond the margin."""
    run, _ = await load_results(conn, run_id)
    if not run["not_worse"]:
        return False
    await (prompts or PromptRegistry()).set_label(conn, run["prompt_name"], label, run["candidate_version"])
    return True
