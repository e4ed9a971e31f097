"""Run every case against a baseline and a candidate prompt variant, on each provider, N times.

Cases run in a sandbox database (evals/ab/sandbox.py), reset before each case, so the agents' writes
never touch the store and the store's day (proposals under the daily cap) never changes a result.
Decisions and costs go to the store's decision log; results are stored there with the raw outputs,
so a run can be scored again (`rescore`) without calling any model."""

from __future__ import annotations

import math
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
from db.pool import Conn, Pool
from decision_log.recorder import DecisionRecorder
from evals.ab import gate, repo, stats
from evals.ab.cases import ShopperCase, StockCase, load_shopper_cases, load_stock_cases
from evals.ab.errors import EvalRunNotFound
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


async def _stock_case(sandbox: Pool, case: StockCase, loop: AgentLoop, policy: ReorderPolicy, variant: Variant,
                      trigger: str, stock: dict[int, int]) -> tuple[dict[str, Any], RunResult]:
    decision_id = uuid.uuid4()
    async with sandbox.connection() as conn, conn.transaction():
        await repo.reset_sandbox(conn, stock=stock)
        # The run is logged in the store; its proposals in the sandbox reference a twin of it there.
        await repo.mirror_decision(conn, decision_id=decision_id, trigger=trigger)
        if case.restock_all:
            await repo.restock_all(conn)
        for reference, available in case.stock.items():
            await repo.set_available(conn, reference=reference, available=available)
        for prior in case.proposals:
            await repo.add_prior_proposal(conn, reference=prior.reference, quantity=prior.quantity,
                                          status=prior.status, age_hours=prior.age_hours, reason=prior.reason)
        if case.spent_today_usd:
            await repo.spend_today(conn, usd=case.spent_today_usd,
                                   exclude=[*case.stock, *(p.reference for p in case.proposals), *case.bands])
    alert = {"fingerprint": f"eval-{case.id}", **case.alert}
    result = await run_stock_agent(loop, sandbox, trigger=trigger, policy=policy, alert=alert,
                                   prompt_version=variant.version, agent="eval", decision_id=decision_id)
    async with sandbox.connection() as conn:
        proposals = await repo.proposals_of(conn, decision_id=result.decision_id)
    output = {"tools": [c.name for c in result.tool_calls], "proposals": proposals,
              "refused": sum(1 for c in result.tool_calls if c.status == "error"), "text": result.text}
    return output, result


async def _shopper_case(sandbox: Pool, case: ShopperCase, loop: AgentLoop, embedder: Embedder | None,
                        variant: Variant, trigger: str) -> tuple[dict[str, Any], RunResult]:
    context = ShopperContext(pool=sandbox, embedder=embedder, customer_id=None)
    reply = await answer(loop, sandbox, context=context, question=case.question, history=[], session_id=uuid.uuid4(),
                         prompt_version=variant.version, agent="eval", trigger=trigger)
    output = {"cited": [c["reference"] for c in reply.grounded.cited], "corrections": reply.grounded.corrections,
              "answer": reply.grounded.text}
    return output, reply.run


def _score(suite: str, case: Any, output: dict[str, Any]) -> list[Score]:
    return score_stock(case, output) if suite == "stock" else score_shopper(case, output)


async def run_suite(
    store: Pool, *, sandbox: Pool, suite: str, gateway_for: Callable[[str], Gateway], providers: list[str],
    baseline: str, candidate: str, policy: ReorderPolicy, repetitions: int = 3, margin: float = 0.05,
    embedder: Embedder | None = None, prompts: PromptRegistry | None = None, progress: Progress | None = None,
    cases: list[Any] | None = None,
) -> uuid.UUID:
    """`store` holds the prompts, the decision log and the results; the cases run in `sandbox` (a
    database of their own, see evals/ab/sandbox.py), where the two variants are copied first. `cases`
    defaults to the whole suite."""
    prompts = prompts or PromptRegistry()
    prompt = STOCK_PROMPT if suite == "stock" else SHOPPER_PROMPT
    if cases is None:
        cases = list(load_stock_cases() if suite == "stock" else load_shopper_cases())
    async with store.connection() as conn:
        variants = [await _variant(conn, prompts, prompt, baseline), await _variant(conn, prompts, prompt, candidate)]
        templates = [(await prompts.get(conn, prompt, version=v.version)).template for v in variants]
    async with sandbox.connection() as conn, conn.transaction():
        await repo.copy_prompt_versions(conn, name=prompt, versions=[
            (v.version, template) for v, template in zip(variants, templates, strict=True)])
        stock = await repo.stock_snapshot(conn)
    run_id = uuid.uuid4()
    results: list[CaseResult] = []
    outputs: list[tuple[CaseResult, dict[str, Any], uuid.UUID]] = []
    total, done = len(cases) * len(variants) * len(providers) * repetitions, 0
    recorder = DecisionRecorder(store)
    for provider in providers:
        loop = AgentLoop(gateway_for(provider), STOCK_TOOLS if suite == "stock" else SHOPPER_TOOLS, recorder)
        for case in cases:
            for variant in variants:
                for repetition in range(1, repetitions + 1):
                    started = time.perf_counter()
                    if suite == "stock":
                        output, run = await _stock_case(sandbox, case, loop, policy, variant, f"eval:{run_id}",
                                                        stock)
                    else:
                        output, run = await _shopper_case(sandbox, case, loop, embedder, variant, f"eval:{run_id}")
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
    async with store.connection() as conn, conn.transaction():
        await _store_run(conn, info, prompt, variants, margin, results)
        for result, output, decision_id in outputs:
            await _store_result(conn, run_id, result, output, decision_id)
    return run_id


async def _store_run(conn: Conn, info: RunInfo, prompt: str, variants: list[Variant], margin: float,
                     results: list[CaseResult]) -> None:
    """The run's row: the comparison over every case (what the report plots) and the gate's verdict,
    which only counts the cases that read the prompt; `not_worse` is true only for a promotable verdict."""
    comparison = stats.paired_comparison(results, baseline=info.baseline, candidate=info.candidate)
    verdict = gate.judge(results, baseline=info.baseline, candidate=info.candidate, margin=margin)
    previous = await _previous(conn, info.suite, prompt)
    html = render_report(info, results, summaries=stats.summarize(results), comparison=comparison,
                         flaky=stats.flakiness(results), margin=margin, verdict=verdict, previous=previous)
    await repo.save_run(conn, {
        "id": info.run_id, "suite": info.suite, "prompt_name": prompt, "baseline": info.baseline,
        "candidate": info.candidate, "baseline_version": variants[0].version,
        "candidate_version": variants[1].version, "repetitions": info.repetitions, "providers": list(info.providers),
        "margin": margin, "mean_diff": comparison.mean_diff, "diff_low": _finite(comparison.diff_low),
        "diff_high": _finite(comparison.diff_high), "p_value": comparison.p_value,
        "not_worse": verdict.promotable, "report_html": html})


def _finite(value: float) -> float | None:
    """An interval from one case is unbounded; the column stores that as NULL."""
    return value if math.isfinite(value) else None


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
        raise EvalRunNotFound(f"No eval run {run_id}", run_id=str(run_id))
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


async def verdict_of(conn: Conn, run_id: uuid.UUID) -> tuple[dict[str, Any], gate.Verdict]:
    """The gate's verdict on a stored run, judged again from its results (a run stored before the gate
    changed is held to today's rule)."""
    run, rows = await load_results(conn, run_id)
    verdict = gate.judge([r for r, _ in rows], baseline=run["baseline"], candidate=run["candidate"],
                         margin=float(run["margin"]))
    return run, verdict


async def promote(conn: Conn, *, run_id: uuid.UUID, label: str = "production", prompts: PromptRegistry | None = None
                  ) -> gate.Verdict:
    """Move `label` to the run's candidate version only when the gate finds it not worse beyond the
    margin; the verdict says why when it does not (and nothing moves)."""
    run, verdict = await verdict_of(conn, run_id)
    if verdict.promotable:
        await (prompts or PromptRegistry()).set_label(conn, run["prompt_name"], label, run["candidate_version"])
    return verdict
