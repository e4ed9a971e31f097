"""The shopper assistant's suite (62 questions) against the offline policy: every kind of question is
answered as what it is. The figures are printed (pytest -s) for the note; the bars below are the
floor the offline policy has to hold, not its current score."""

from __future__ import annotations

import pytest

from agent.gateway import Gateway
from agent.loop import AgentLoop
from db.pool import Pool
from decision_log.pricing import PriceTable
from decision_log.recorder import DecisionRecorder
from evals.assistant.suite import answered_kind, load_cases, run_suite, summary
from prompts.registry import PromptRegistry
from tests.fix_app import EMBEDDER
from tests.integration.test_llm_gateway import run_limits
from tools.shopper import SHOPPER_TOOLS

pytestmark = pytest.mark.integration


def test_the_suite_is_big_and_covers_every_kind() -> None:
    cases = load_cases()
    assert len(cases) >= 60
    assert len({c.id for c in cases}) == len(cases)
    kinds = {c.intent for c in cases}
    assert kinds == {"policy", "orders", "stock", "compare", "superlative", "search", "out_of_scope"}
    assert answered_kind(["search_watches", "check_stock"]) == "stock"
    assert answered_kind([]) == "out_of_scope"


async def test_the_offline_assistant_on_the_suite(pool: Pool) -> None:
    async with pool.connection() as conn:
        await PromptRegistry().sync_from_files(conn)
    loop = AgentLoop(Gateway([], prices=PriceTable(), limits=run_limits()), SHOPPER_TOOLS, DecisionRecorder(pool))
    results = await run_suite(loop, pool, EMBEDDER)
    table = summary(results)
    for intent, row in table.items():
        print(f"{intent:<13} cases {int(row['cases']):>3}  intent {row['intent']:.2f}  relevance "
              f"{row['relevance']:.2f}  grounding {row['grounding']:.2f}  passed {row['passed']:.2f}")
    for r in results:
        if not r.passed:
            print("FAILED", r.case.id, [s.why for s in r.scores if not s.passed])
    assert table["all"]["intent"] >= 0.95
    assert table["all"]["grounding"] == 1.0
    assert table["all"]["passed"] >= 0.85
    for kind in ("policy", "orders", "out_of_scope"):
        assert table[kind]["passed"] == 1.0, kind
