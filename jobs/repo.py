"""SQL over the queue's tables (procrastinate's, read only) and our record of job outcomes."""

from __future__ import annotations

import uuid

from db.pool import Conn
from jobs.models import JobRecord, QueueStat


async def record_outcome(conn: Conn, *, job_id: int, kind: str, decision_id: uuid.UUID | None,
                         error: str | None) -> None:
    """Keep the latest attempt's result: a retry that succeeds clears the error of the one before."""
    await conn.execute(
        """INSERT INTO job_outcomes (job_id, kind, decision_id, error) VALUES (%(j)s, %(k)s, %(d)s, %(e)s)
           ON CONFLICT (job_id) DO UPDATE
               SET decision_id = coalesce(EXCLUDED.decision_id, job_outcomes.decision_id), error = EXCLUDED.error,
                   recorded_at = now()""",
        {"j": job_id, "k": kind, "d": decision_id, "e": error},
    )


async def delete_orphan_outcomes(conn: Conn) -> int:
    """Outcomes whose job the queue has pruned."""
    cur = await conn.execute(
        "DELETE FROM job_outcomes o WHERE NOT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.id = o.job_id)")
    return cur.rowcount


async def get_job(conn: Conn, *, job_id: int) -> JobRecord | None:
    cur = await conn.execute(
        """SELECT j.id, j.task_name AS kind, j.queue_name AS queue,
                  coalesce(j.args->>'trigger', j.task_name) AS trigger,
                  CASE j.status WHEN 'todo' THEN 'queued' WHEN 'doing' THEN 'running'
                                WHEN 'succeeded' THEN 'done' ELSE 'failed' END AS status,
                  j.attempts, o.decision_id, o.error, j.scheduled_at,
                  e.created_at, e.started_at,
                  CASE WHEN j.status IN ('todo', 'doing') THEN NULL ELSE e.finished_at END AS finished_at
           FROM procrastinate_jobs j
           LEFT JOIN job_outcomes o ON o.job_id = j.id
           CROSS JOIN LATERAL (
               SELECT min(at) FILTER (WHERE type = 'deferred') AS created_at,
                      max(at) FILTER (WHERE type = 'started') AS started_at,
                      max(at) FILTER (WHERE type IN ('succeeded', 'failed', 'cancelled', 'aborted')) AS finished_at
               FROM procrastinate_events WHERE job_id = j.id) e
           WHERE j.id = %(id)s""",
        {"id": job_id},
    )
    row = await cur.fetchone()
    if row is None:
        return None
    # A job's failure without a recorded reason (a stalled job given up by the queue) still says so.
    if row["status"] == "failed" and row["error"] is None:
        row["error"] = "failed without a recorded error"
    return JobRecord(**row)


async def queue_stats(conn: Conn) -> list[QueueStat]:
    """Per queue: jobs waiting and running, and the age of the oldest of each (a waiting job counts from
    when it became due, so a retry scheduled for later is not "late"; a running one from its start).
    Reads only jobs in 'todo' or 'doing', which the queue's partial indexes cover."""
    cur = await conn.execute(
        """SELECT j.queue_name AS queue, j.status::text AS status, count(*)::int AS jobs,
                  greatest(0, extract(epoch FROM now() - min(
                      CASE WHEN j.status = 'todo' THEN coalesce(j.scheduled_at, e.deferred_at)
                           ELSE e.started_at END)))::float8 AS oldest_age_s
           FROM procrastinate_jobs j
           CROSS JOIN LATERAL (
               SELECT max(at) FILTER (WHERE type = 'deferred') AS deferred_at,
                      max(at) FILTER (WHERE type = 'started') AS started_at
               FROM procrastinate_events WHERE job_id = j.id) e
           WHERE j.status IN ('todo', 'doing')
           GROUP BY j.queue_name, j.status ORDER BY 1, 2"""
    )
    return [QueueStat(queue=r["queue"], status=r["status"], jobs=r["jobs"], oldest_age_s=r["oldest_age_s"] or 0.0)
            for r in await cur.fetchall()]
