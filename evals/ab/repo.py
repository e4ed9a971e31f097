"""SQL for prompt A/B eval runs and their per-case results."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from db.pool import Conn
from evals.ab.models import CaseResult

_RUN_COLUMNS = ("id", "suite", "prompt_name", "baseline", "candidate", "baseline_version", "candidate_version",
                "repetitions", "providers", "margin", "mean_diff", "diff_low", "diff_high", "p_value", "not_worse",
                "report_html")


async def save_run(conn: Conn, run: dict[str, Any]) -> None:
    """Insert a run (keys: the eval_runs columns); saving it again (a rescore) updates its verdict."""
    placeholders = ", ".join(f"%({c})s" for c in _RUN_COLUMNS)
    await conn.execute(
        f"""INSERT INTO eval_runs ({", ".join(_RUN_COLUMNS)}) VALUES ({placeholders})
           ON CONFLICT (id) DO UPDATE SET mean_diff = EXCLUDED.mean_diff, diff_low = EXCLUDED.diff_low,
               diff_high = EXCLUDED.diff_high, p_value = EXCLUDED.p_value, not_worse = EXCLUDED.not_worse,
               report_html = EXCLUDED.report_html""",  # noqa: S608 - column names are the constant tuple above
        {**run, "margin": Decimal(str(run["margin"]))},
    )


async def save_result(conn: Conn, *, run_id: uuid.UUID, result: CaseResult, output: dict[str, Any]) -> None:
    r = result
    await conn.execute(
        """INSERT INTO eval_results (run_id, case_id, variant, provider, repetition, output, score, passed,
               explanations, cost_usd, latency_ms, input_tokens, output_tokens, decision_id)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL)""",
        (run_id, r.case_id, r.variant, r.provider, r.repetition, json.dumps(output, default=str), r.score, r.passed,
         json.dumps(list(r.explanations)), r.cost_usd, r.latency_ms, r.input_tokens, r.output_tokens))


async def latest_run(conn: Conn, *, suite: str, prompt: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        "SELECT id, created_at, baseline, candidate, mean_diff, not_worse FROM eval_runs "
        "WHERE suite = %s AND prompt_name = %s ORDER BY created_at DESC LIMIT 1", (suite, prompt))
    return await cur.fetchone()


async def pass_rates(conn: Conn, *, run_id: uuid.UUID) -> dict[str, float]:
    cur = await conn.execute("SELECT variant, avg(passed::int)::float8 AS rate FROM eval_results WHERE run_id = %s "
                             "GROUP BY variant", (run_id,))
    return {r["variant"]: r["rate"] for r in await cur.fetchall()}


async def get_run(conn: Conn, *, run_id: uuid.UUID) -> dict[str, Any] | None:
    cur = await conn.execute("SELECT * FROM eval_runs WHERE id = %s", (run_id,))
    return await cur.fetchone()


async def get_results(conn: Conn, *, run_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute("SELECT * FROM eval_results WHERE run_id = %s ORDER BY id", (run_id,))
    return await cur.fetchall()


async def delete_results(conn: Conn, *, run_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM eval_results WHERE run_id = %s", (run_id,))


async def list_runs(conn: Conn, *, limit: int = 100) -> list[dict[str, Any]]:
    cur = await conn.execute("SELECT id, suite, prompt_name, baseline, candidate, repetitions, mean_diff, diff_low, "
                             "diff_high, p_value, not_worse, created_at FROM eval_runs ORDER BY created_at DESC "
                             "LIMIT %s", (limit,))
    return await cur.fetchall()


async def report_html(conn: Conn, *, run_id: uuid.UUID) -> str | None:
    cur = await conn.execute("SELECT report_html FROM eval_runs WHERE id = %s", (run_id,))
    row = await cur.fetchone()
    return row["report_html"] if row else None


# The sandbox (evals/ab/sandbox.py): what each case resets before it runs.

async def copy_prompt_versions(conn: Conn, *, name: str, versions: list[tuple[int, str]]) -> None:
    """The sandbox's versions of prompt `name` become exactly the compared variants, numbered as in the store."""
    await conn.execute("DELETE FROM prompt_labels WHERE name = %s", (name,))
    await conn.execute("DELETE FROM prompt_versions WHERE name = %s", (name,))
    for version, template in versions:
        await conn.execute(
            """INSERT INTO prompt_versions (name, version, content_hash, template, source)
               VALUES (%s, %s, md5(%s), %s, 'eval') ON CONFLICT DO NOTHING""",
            (name, version, f"{version}:{template}", template))


async def stock_snapshot(conn: Conn) -> dict[int, int]:
    cur = await conn.execute("SELECT watch_id, available FROM inventory")
    return {int(r["watch_id"]): int(r["available"]) for r in await cur.fetchall()}


async def reset_sandbox(conn: Conn, *, stock: dict[int, int]) -> None:
    """No proposals (so nothing is open and the daily cap is unspent), and the snapshot's stock."""
    await conn.execute("DELETE FROM reorder_proposals")
    await conn.execute(
        """UPDATE inventory SET available = s.available
           FROM unnest(%s::int[], %s::int[]) AS s(watch_id, available) WHERE inventory.watch_id = s.watch_id""",
        (list(stock), list(stock.values())))


async def mirror_decision(conn: Conn, *, decision_id: uuid.UUID, trigger: str) -> None:
    await conn.execute("INSERT INTO decisions (id, agent, trigger) VALUES (%s, 'eval', %s)", (decision_id, trigger))


async def restock_all(conn: Conn) -> None:
    await conn.execute("UPDATE inventory SET available = reorder_point + 50")


async def set_available(conn: Conn, *, reference: str, available: int) -> None:
    await conn.execute("UPDATE inventory SET available = %s FROM watches w WHERE w.id = inventory.watch_id "
                       "AND w.reference = %s", (available, reference))


async def proposals_of(conn: Conn, *, decision_id: uuid.UUID) -> dict[str, int]:
    cur = await conn.execute("SELECT w.reference, p.quantity FROM reorder_proposals p JOIN watches w "
                             "ON w.id = p.watch_id WHERE p.decision_id = %s", (decision_id,))
    return {r["reference"]: int(r["quantity"]) for r in await cur.fetchall()}


async def add_prior_proposal(conn: Conn, *, reference: str, quantity: int, status: str, age_hours: float,
                             reason: str | None) -> None:
    """A proposal the case's history already holds, made `age_hours` ago (decided then, if it was)."""
    await conn.execute(
        """INSERT INTO reorder_proposals (watch_id, quantity, unit_cost, total_cost, status, rationale, inputs,
               trigger, created_at, decided_at, decided_by, decision_reason)
           SELECT w.id, %(q)s, w.unit_cost, w.unit_cost * %(q)s, %(s)s, 'eval case history', '{}'::jsonb,
               'eval:setup', now() - make_interval(secs => %(age)s),
               CASE WHEN %(s)s <> 'pending' THEN now() - make_interval(secs => %(age)s) END,
               CASE WHEN %(s)s <> 'pending' THEN 'ops@example.com' END, %(r)s
           FROM watches w WHERE w.reference = %(ref)s""",
        {"q": quantity, "s": status, "age": age_hours * 3600, "r": reason, "ref": reference})


async def spend_today(conn: Conn, *, usd: Decimal, exclude: list[str]) -> None:
    """Reorder spend already made today, as one received order of a watch the case does not look at:
    it counts against the daily cap and is neither open nor on order."""
    await conn.execute(
        """INSERT INTO reorder_proposals (watch_id, quantity, unit_cost, total_cost, status, rationale, inputs,
               trigger, created_at, decided_at, decided_by, received_at)
           SELECT w.id, 1, %(usd)s, %(usd)s, 'received', 'eval case: spend made earlier today', '{}'::jsonb,
               'eval:setup', now(), now(), 'ops@example.com', now()
           FROM watches w WHERE NOT (w.reference = ANY(%(ex)s)) ORDER BY w.reference LIMIT 1""",
        {"usd": usd, "ex": exclude})
