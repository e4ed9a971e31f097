"""SQL for decisions and LLM calls, and the cost roll-ups computed from them."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg import sql

from db.pool import Conn
from decision_log.records import CallRecord, DecisionEnd, DecisionStart, Skipped

# `fallback_reason` stays in the API (a contract) as the readable join of the stored list.
DECISION_COLUMNS = """id, created_at, finished_at, agent, trigger, provider, model, prompt_name, prompt_version,
    outcome, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, cost_usd, latency_ms,
    (SELECT string_agg((f ->> 'provider') || ': ' || (f ->> 'reason'), '; ' ORDER BY n)
       FROM jsonb_array_elements(fallbacks) WITH ORDINALITY AS x(f, n)) AS fallback_reason,
    fallbacks, skipped, error, trace_id, span_id"""


async def start_decision(conn: Conn, start: DecisionStart) -> None:
    await conn.execute(
        """INSERT INTO decisions (id, agent, trigger, prompt_name, prompt_version, metadata, trace_id, span_id)
           VALUES (%(id)s, %(a)s, %(t)s, %(pn)s, %(pv)s, %(m)s, %(tr)s, %(sp)s)""",
        {"id": start.decision_id, "a": start.agent, "t": start.trigger, "pn": start.prompt_name,
         "pv": start.prompt_version, "m": json.dumps(start.metadata, default=str), "tr": start.trace_id,
         "sp": start.span_id},
    )


async def finish_decision(conn: Conn, end: DecisionEnd) -> None:
    usage = end.usage
    await conn.execute(
        """UPDATE decisions SET finished_at = now(), provider = %(p)s, model = %(m)s, outcome = %(o)s,
               input_tokens = %(i)s, output_tokens = %(out)s, cache_write_tokens = %(cw)s, cache_read_tokens = %(cr)s,
               cost_usd = %(c)s, latency_ms = %(l)s, fallbacks = %(f)s, error = %(e)s, tool_calls = %(tc)s,
               final_text = %(ft)s
           WHERE id = %(id)s""",
        {"id": end.decision_id, "p": end.provider, "m": end.model, "o": end.outcome, "i": usage.input_tokens,
         "out": usage.output_tokens, "cw": usage.cache_write_tokens, "cr": usage.cache_read_tokens, "c": end.cost,
         "l": end.latency_ms, "e": end.error,
         "f": json.dumps([{"provider": f.provider, "reason": f.reason} for f in end.fallbacks]),
         "tc": json.dumps([t.as_json() for t in end.tool_calls], default=str), "ft": end.final_text},
    )


async def record_skipped(conn: Conn, *, decision_id: uuid.UUID, skipped: list[Skipped]) -> None:
    await conn.execute("UPDATE decisions SET skipped = %(s)s WHERE id = %(id)s",
                       {"id": decision_id, "s": json.dumps([{"subject": k.subject, "reason": k.reason}
                                                            for k in skipped])})


async def record_call(conn: Conn, call: CallRecord) -> None:
    usage = call.usage
    await conn.execute(
        """INSERT INTO llm_calls (decision_id, agent, provider, model, attempt, outcome, error_kind, error,
               stop_reason, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, cost_usd, latency_ms)
           VALUES (%(d)s, %(a)s, %(p)s, %(m)s, %(n)s, %(o)s, %(ek)s, %(e)s, %(s)s, %(i)s, %(out)s, %(cw)s, %(cr)s,
                   %(c)s, %(l)s)""",
        {"d": call.decision_id, "a": call.agent, "p": call.provider, "m": call.model, "n": call.attempt,
         "o": call.outcome, "ek": call.error_kind, "e": call.error, "s": call.stop_reason, "i": usage.input_tokens,
         "out": usage.output_tokens, "cw": usage.cache_write_tokens, "cr": usage.cache_read_tokens, "c": call.cost,
         "l": call.latency_ms},
    )


async def spent_today(conn: Conn, *, agent: str | None = None) -> Decimal:
    """USD spent on paid calls since midnight UTC, for one agent or in all."""
    cur = await conn.execute(
        """SELECT coalesce(sum(cost_usd), 0) AS spent FROM llm_calls
           WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
             AND (%(a)s::text IS NULL OR agent = %(a)s)""",
        {"a": agent},
    )
    row = await cur.fetchone()
    return Decimal(row["spent"]) if row else Decimal(0)


async def list_decisions(
    conn: Conn, *, agent: str | None, provider: str | None, outcome: str | None, trigger: str | None,
    since: datetime | None, limit: int, offset: int, until: datetime | None = None,
) -> tuple[list[dict[str, Any]], int]:
    cur = await conn.execute(
        sql.SQL("""SELECT {cols}, count(*) OVER () AS total_count FROM decisions
                   WHERE (%(a)s::text IS NULL OR agent = %(a)s) AND (%(p)s::text IS NULL OR provider = %(p)s)
                     AND (%(o)s::text IS NULL OR outcome = %(o)s) AND (%(t)s::text IS NULL OR trigger LIKE %(t)s)
                     AND (%(s)s::timestamptz IS NULL OR created_at >= %(s)s)
                     AND (%(u)s::timestamptz IS NULL OR created_at < %(u)s)
                   ORDER BY created_at DESC, id LIMIT %(l)s OFFSET %(off)s""").format(cols=sql.SQL(DECISION_COLUMNS)),
        {"a": agent, "p": provider, "o": outcome, "t": f"{trigger}%" if trigger else None, "s": since, "u": until,
         "l": limit, "off": offset},
    )
    rows = await cur.fetchall()
    return rows, int(rows[0]["total_count"]) if rows else 0


async def get_decision(conn: Conn, *, decision_id: uuid.UUID) -> dict[str, Any] | None:
    cur = await conn.execute(
        sql.SQL("SELECT {cols}, tool_calls, final_text, metadata FROM decisions WHERE id = %(id)s").format(
            cols=sql.SQL(DECISION_COLUMNS)), {"id": decision_id})
    return await cur.fetchone()


async def get_decisions(conn: Conn, *, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    cur = await conn.execute(
        sql.SQL("SELECT {cols} FROM decisions WHERE id = ANY(%(ids)s)").format(cols=sql.SQL(DECISION_COLUMNS)),
        {"ids": ids})
    return await cur.fetchall()


async def trace_of(conn: Conn, *, decision_id: uuid.UUID) -> tuple[str, str] | None:
    cur = await conn.execute("SELECT trace_id, span_id FROM decisions WHERE id = %(id)s AND trace_id IS NOT NULL",
                             {"id": decision_id})
    row = await cur.fetchone()
    return (row["trace_id"], row["span_id"]) if row else None


async def calls_of(conn: Conn, *, decision_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """SELECT created_at, provider, model, attempt, outcome, error_kind, error, stop_reason, input_tokens,
                  output_tokens, cache_write_tokens, cache_read_tokens, cost_usd, latency_ms
           FROM llm_calls WHERE decision_id = %(id)s ORDER BY id""",
        {"id": decision_id},
    )
    return await cur.fetchall()


COST_DIMENSIONS = {"model": "model", "day": "(created_at AT TIME ZONE 'UTC')::date", "agent": "agent",
                   "provider": "provider", "outcome": "outcome"}


async def costs(conn: Conn, *, by: list[str], days: int) -> list[dict[str, Any]]:
    """Calls, tokens and USD grouped by the chosen dimensions (model, day, agent, provider, outcome)."""
    columns = [sql.SQL("{} AS {}").format(sql.SQL(COST_DIMENSIONS[d]), sql.Identifier(d)) for d in by]
    query = sql.SQL(
        """SELECT {cols}, count(*) AS calls, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
                  sum(cache_write_tokens) AS cache_write_tokens, sum(cache_read_tokens) AS cache_read_tokens,
                  coalesce(sum(cost_usd), 0) AS cost_usd, count(*) FILTER (WHERE cost_usd IS NULL
                                                                           AND outcome = 'ok') AS unpriced_calls
           FROM llm_calls WHERE created_at >= now() - make_interval(days => %(days)s)
           GROUP BY {group} ORDER BY {group}"""
    ).format(cols=sql.SQL(", ").join(columns), group=sql.SQL(", ").join(sql.Literal(i + 1) for i in range(len(by))))
    cur = await conn.execute(query, {"days": days})
    return await cur.fetchall()


async def fallback_counts(conn: Conn, *, days: int) -> list[dict[str, Any]]:
    """How often each agent fell back from each provider, and why (one count per run and reason)."""
    cur = await conn.execute(
        """SELECT d.agent, f ->> 'provider' AS provider, f ->> 'reason' AS reason, count(DISTINCT d.id) AS runs
           FROM decisions d CROSS JOIN LATERAL jsonb_array_elements(d.fallbacks) AS f
           WHERE d.created_at >= now() - make_interval(days => %(days)s)
           GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 2, 3""",
        {"days": days},
    )
    return await cur.fetchall()
