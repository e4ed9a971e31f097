"""Prompt A/B evals end to end: scripted model replies make the candidate better on one case and worse
on others, so the statistics have a known answer; the report renders; promotion follows the verdict."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from agent.gateway import Gateway, Slot
from agent.providers.claude import ClaudeProvider
from db.pool import Conn, Pool, open_pool
from decision_log.pricing import PriceTable
from evals.ab import repo
from evals.ab.cases import load_stock_cases
from evals.ab.models import CaseResult
from evals.ab.runner import load_results, promote, rescore, run_suite
from prompts.registry import PromptRegistry
from tests.fakes import anthropic_server as claude_fake
from tests.fix_app import EMBEDDER, make_settings
from tests.fix_db import create_database, drop_database
from tests.integration.test_llm_gateway import run_limits

pytestmark = pytest.mark.integration


POLICY = make_settings("postgresql://unused").reorder_policy


def claude_gateway(url: str) -> Callable[[str], Gateway]:
    def gateway_for(provider: str) -> Gateway:
        claude = ClaudeProvider(api_key="t", model="claude-sonnet-5-5", base_url=url)
        return Gateway([Slot(claude)] if provider == "claude" else [], prices=PriceTable(), limits=run_limits())

    return gateway_for


@pytest_asyncio.fixture
async def sandbox(pg_url: str, template_db: str) -> AsyncIterator[Pool]:
    """The cases' own database (seeded and indexed like a fresh store), never the store under test."""
    name = f"seiko_eval_{uuid.uuid4().hex[:12]}"
    opened = await open_pool(create_database(pg_url, name, template=template_db), min_size=1, max_size=4)
    yield opened
    await opened.close()
    drop_database(pg_url, name)


async def make_candidate(conn: Conn, prompt: str) -> int:
    prompts = PromptRegistry()
    await prompts.sync_from_files(conn)
    base = await prompts.get(conn, prompt)
    version = await prompts.create_version(conn, prompt, base.template + "\nBe even more concise.\n")
    await prompts.set_label(conn, prompt, "candidate", version.version)
    return version.version


# Per case: baseline, baseline, candidate, candidate (the runner's order with 2 repetitions).
WORSE_CANDIDATE = [
    "Try the SRPE93K1.", "Try the SRPE93K1.", "Try the SPB143J1.", "Try the SPB143J1.",            # worse
    "The SSC813P1 costs $1.00.", "The SSC813P1 costs $1.00.", "The SSC813P1.", "The SSC813P1.",  # better
    "The SRPB41J1.", "The SRPB41J1.", "The SRPD55K1.", "The SRPD55K1.",                          # worse
]


async def test_a_worse_candidate_is_measured_reported_and_refused(conn: Conn, pool: Pool, sandbox: Pool
                                                                  ) -> None:
    version = await make_candidate(conn, "shopper_assistant_system")
    with claude_fake.running_anthropic_fake() as claude:
        claude.script(*(claude_fake.Reply.text_reply(t, input_tokens=100, output_tokens=10) for t in WORSE_CANDIDATE))
        run_id = await run_suite(pool, sandbox=sandbox, suite="shopper", gateway_for=claude_gateway(claude.url),
                                 providers=["claude"], baseline="production", candidate="candidate", repetitions=2,
                                 embedder=EMBEDDER, policy=POLICY)
    run, rows = await load_results(conn, run_id)
    assert len(rows) == 12
    assert (run["baseline"], run["candidate"]) == ("production@v1", f"candidate@v{version}")
    by_case = {}
    for result, _ in rows:
        by_case.setdefault((result.case_id, result.variant.split("@")[0]), set()).add(round(result.score, 3))
    assert by_case[("cheap-automatic-diver", "production")] == {1.0}
    assert by_case[("cheap-automatic-diver", "candidate")] == {round(1 / 3, 3)}
    assert by_case[("solar-chronograph", "production")] == {round(2 / 3, 3)}, "grounding fixed a price"
    assert by_case[("solar-chronograph", "candidate")] == {1.0}
    # per-case differences (candidate - baseline): -2/3, +1/3, -2/3 -> mean -1/3
    assert run["mean_diff"] == pytest.approx(-1 / 3)
    assert run["not_worse"] is False
    html = run["report_html"]
    assert "Verdict: inconclusive, not promotable: too few cases: 3 read the prompt" in html
    assert html.count("<svg") == 3
    explanations = [e for result, _ in rows for e in result.explanations]
    assert any("cited forbidden ['SPB143J1']" in e for e in explanations)
    verdict = await promote(conn, run_id=run_id)
    assert (verdict.promotable, verdict.status) == (False, "inconclusive")
    assert (await PromptRegistry().get(conn, "shopper_assistant_system")).version == 1, "production did not move"
    again = await rescore(conn, run_id)
    assert sorted(r.score for r in again) == sorted(r.score for r, _ in rows), "rescoring needs no model"


async def test_an_offline_run_of_the_stock_suite_is_sandboxed_and_cannot_promote(conn: Conn, pool: Pool,
                                                                                 sandbox: Pool) -> None:
    """The issue's run: the offline policy never reads the prompt, yet +0.000 [0, 0] moved production."""
    version = await make_candidate(conn, "stock_agent_system")
    first_three = [c for c in load_stock_cases() if c.id in ("two-low-fast-movers", "injected-annotation",
                                                             "nothing-low")]
    run_id = await run_suite(pool, sandbox=sandbox, suite="stock", gateway_for=claude_gateway("http://unused"),
                             providers=["offline"], baseline="production", candidate="candidate", repetitions=2,
                             policy=POLICY, cases=first_three)
    run, rows = await load_results(conn, run_id)
    assert len(rows) == 12
    assert {r.provider for r, _ in rows} == {"offline"}
    assert run["mean_diff"] == 0
    assert run["not_worse"] is False
    scores = {r.case_id: r.passed for r, _ in rows}
    assert scores == {"two-low-fast-movers": True, "injected-annotation": True, "nothing-low": True}, rows
    cur = await conn.execute("SELECT count(*) AS n FROM reorder_proposals WHERE trigger LIKE 'eval:%'")
    assert await cur.fetchone() == {"n": 0}, "eval runs leave the store untouched"
    proposed = [output["proposals"] for result, output in rows if result.case_id == "two-low-fast-movers"]
    assert all(proposed) and len(proposed) == 4, "each repetition proposed afresh in the sandbox"
    cur = await conn.execute("SELECT count(*) AS n FROM decisions WHERE agent = 'eval'")
    assert (await cur.fetchone() or {})["n"] == 12, "the runs (and their costs) are in the store's decision log"
    verdict = await promote(conn, run_id=run_id)
    assert not verdict.promotable and "no case read the prompt" in verdict.reason
    assert "Verdict: inconclusive, not promotable: no case read the prompt" in run["report_html"]
    assert (await PromptRegistry().get(conn, "stock_agent_system")).version == 1, "production did not move"
    assert version == 2


async def store_claude_run(conn: Conn, *, version: int, diffs: list[float], not_worse_flag: bool) -> uuid.UUID:
    """A run as the runner stores it, with claude answering every case: baseline 0.7, candidate 0.7 + d."""
    run_id = uuid.uuid4()
    await repo.save_run(conn, {
        "id": run_id, "suite": "stock", "prompt_name": "stock_agent_system", "baseline": "production@v1",
        "candidate": f"candidate@v{version}", "baseline_version": 1, "candidate_version": version, "repetitions": 1,
        "providers": ["claude"], "margin": 0.05, "mean_diff": 0.0, "diff_low": 0.0, "diff_high": 0.0,
        "p_value": 1.0, "not_worse": not_worse_flag, "report_html": "<p>stored</p>"})
    for i, d in enumerate(diffs):
        for variant, score in (("production@v1", 0.7), (f"candidate@v{version}", 0.7 + d)):
            await repo.save_result(conn, run_id=run_id, output={}, result=CaseResult(
                f"case-{i}", variant, "claude", 1, score, score >= 0.5, (), None, 10))
    return run_id


async def test_promotion_moves_production_only_when_the_gate_passes(conn: Conn) -> None:
    version = await make_candidate(conn, "stock_agent_system")
    # 30 cases, the candidate within +-0.02 of the baseline: the interval is well inside the margin
    equal = await store_claude_run(conn, version=version, diffs=[0.02, -0.02, 0.0] * 10, not_worse_flag=True)
    # a run stored under the old rule (flag true) with 3 cases is judged again, and refused
    few = await store_claude_run(conn, version=version, diffs=[0.0, 0.01, 0.0], not_worse_flag=True)
    refused = await promote(conn, run_id=few)
    assert (refused.status, refused.promotable) == ("inconclusive", False)
    assert refused.reason.startswith("too few cases: 3")
    assert (await PromptRegistry().get(conn, "stock_agent_system")).version == 1
    passed = await promote(conn, run_id=equal)
    assert passed.status == "not_worse", passed.reason
    assert (await PromptRegistry().get(conn, "stock_agent_system")).version == version


def test_the_stock_suite_is_big_enough_and_covers_real_situations() -> None:
    cases = load_stock_cases()
    assert len(cases) >= 50 and len({c.id for c in cases}) == len(cases)
    assert all(low <= high for c in cases for low, high in c.bands.values())
    assert sum(any(p.status == "approved" for p in c.proposals) for c in cases) >= 5, "stock on order"
    assert sum(any(p.status == "pending" for p in c.proposals) for c in cases) >= 3, "open proposals"
    assert sum(any(p.status == "rejected" and p.age_hours < 24 for p in c.proposals) for c in cases) >= 3
    assert sum(c.spent_today_usd > 0 for c in cases) >= 5, "caps nearly or fully spent"
    assert sum("IGNORE" in str(c.alert).upper() or "URGENT" in str(c.alert) for c in cases) >= 2, "injected text"
    assert all(c.note for c in cases if c.proposals or c.spent_today_usd), "each situation says what a planner wants"


async def test_stock_cases_start_from_their_history_in_the_sandbox(conn: Conn, pool: Pool, sandbox: Pool) -> None:
    """Prior proposals (on order, rejected) and spend already made today are set up before each case."""
    await make_candidate(conn, "stock_agent_system")
    chosen = {c.id: c for c in load_stock_cases()
              if c.id in ("covered-by-order-srpd55k1", "cap-spent-srpd63k1", "recently-rejected-srpd77k1")}
    run_id = await run_suite(pool, sandbox=sandbox, suite="stock", gateway_for=claude_gateway("http://unused"),
                             providers=["offline"], baseline="production", candidate="candidate", repetitions=1,
                             policy=POLICY, cases=list(chosen.values()))
    _, rows = await load_results(conn, run_id)
    outputs = {r.case_id: o for r, o in rows if r.variant.startswith("production")}
    assert outputs["covered-by-order-srpd55k1"]["proposals"] == {}, "the approved order is on order"
    capped = outputs["cap-spent-srpd63k1"]
    assert capped["proposals"] == {} and capped["refused"] == 1 and "daily reorder spend cap" in capped["text"]
    # a rejection made two hours ago holds (the cool-down): the offline policy proposes nothing for it
    rejected = [(r, o) for r, o in rows if r.case_id == "recently-rejected-srpd77k1"]
    assert rejected and all(r.passed for r, _ in rejected)
    assert all("SRPD77K1" not in o["proposals"] for _, o in rejected)
    cur = await conn.execute("SELECT count(*) AS n FROM reorder_proposals")
    assert await cur.fetchone() == {"n": 0}, "the history lives in the sandbox only"
