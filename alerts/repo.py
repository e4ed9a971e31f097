"""SQL for alerts and the agent job queue (claimed with FOR UPDATE SKIP LOCKED, so many workers can run)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from db.pool import Conn


async def upsert_firing(conn: Conn, *, fingerprint: str, starts_at: datetime, alertname: str, labels: dict[str, str],
                        annotations: dict[str, str], acted_on: bool) -> bool:
    """Record a firing alert; True when this (fingerprint, start) is new."""
    cur = await conn.execute(
        """INSERT INTO alerts (fingerprint, starts_at, alertname, status, labels, annotations, acted_on)
           VALUES (%(f)s, %(s)s, %(n)s, 'firing', %(l)s, %(a)s, %(acted)s)
           ON CONFLICT (fingerprint, starts_at) DO UPDATE
               SET received_count = alerts.received_count + 1, last_received = now()
           RETURNING (xmax = 0) AS inserted""",
        {"f": fingerprint, "s": starts_at, "n": alertname, "l": json.dumps(labels), "a": json.dumps(annotations),
         "acted": acted_on},
    )
    row = await cur.fetchone()
    return bool(row and row["inserted"])


async def resolve(conn: Conn, *, fingerprint: str, starts_at: datetime, ends_at: datetime | None, alertname: str,
                  labels: dict[str, str], annotations: dict[str, str]) -> None:
    await conn.execute(
        """INSERT INTO alerts (fingerprint, starts_at, alertname, status, labels, annotations, acted_on, ends_at,
                               resolved_at)
           VALUES (%(f)s, %(s)s, %(n)s, 'resolved', %(l)s, %(a)s, FALSE, %(e)s, now())
           ON CONFLICT (fingerprint, starts_at) DO UPDATE
               SET status = 'resolved', ends_at = EXCLUDED.ends_at, resolved_at = coalesce(alerts.resolved_at, now()),
                   received_count = alerts.received_count + 1, last_received = now()""",
        {"f": fingerprint, "s": starts_at, "n": alertname, "l": json.dumps(labels), "a": json.dumps(annotations),
         "e": ends_at},
    )


async def list_alerts(conn: Conn, *, status: str | None, limit: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """SELECT id, fingerprint, starts_at, alertname, status, labels, annotations, acted_on, received_count,
                  first_received, last_received, resolved_at
           FROM alerts WHERE (%(s)s::text IS NULL OR status = %(s)s) ORDER BY last_received DESC LIMIT %(l)s""",
        {"s": status, "l": limit},
    )
    return await cur.fetchall()


async def enqueue(conn: Conn, *, kind: str, dedupe_key: str, trigger: str, payload: dict[str, Any]) -> int | None:
    """Queue a job once per dedupe key: its id, or None when it was queued before."""
    cur = await conn.execute(
        """INSERT INTO agent_jobs (kind, dedupe_key, trigger, payload) VALUES (%(k)s, %(d)s, %(t)s, %(p)s)
           ON CONFLICT (dedupe_key) DO NOTHING RETURNING id""",
        {"k": kind, "d": dedupe_key, "t": trigger, "p": json.dumps(payload, default=str)},
    )
    row = await cur.fetchone()
    return int(row["id"]) if row else None


async def get_job(conn: Conn, *, job_id: int) -> dict[str, Any] | None:
    cur = await conn.execute(
        """SELECT id, kind, trigger, status, attempts, decision_id, error, created_at, started_at, finished_at
           FROM agent_jobs WHERE id = %(id)s""",
        {"id": job_id},
    )
    return await cur.fetchone()


async def claim_next(conn: Conn, *, lease: timedelta, max_attempts: int) -> dict[str, Any] | None:
    """Claim the oldest runnable job: a queued one, or one whose worker's lease ran out (the worker
    died mid-run), while it has attempts left."""
    cur = await conn.execute(
        """UPDATE agent_jobs SET status = 'running', started_at = now(), attempts = attempts + 1,
                  lease_expires_at = now() + %(lease)s
           WHERE id = (SELECT id FROM agent_jobs
                       WHERE (status = 'queued' OR (status = 'running' AND lease_expires_at < now()))
                         AND attempts < %(max)s
                       ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
           RETURNING id, kind, trigger, payload, attempts""",
        {"lease": lease, "max": max_attempts},
    )
    return await cur.fetchone()


async def fail_abandoned(conn: Conn, *, max_attempts: int) -> int:
    """Jobs whose last allowed attempt lost its worker are failed, so they show up instead of hanging."""
    cur = await conn.execute(
        """UPDATE agent_jobs SET status = 'failed', finished_at = now(),
                  error = 'abandoned: the worker stopped before finishing, ' || attempts || ' attempt(s)'
           WHERE status = 'running' AND lease_expires_at < now() AND attempts >= %(max)s""",
        {"max": max_attempts},
    )
    return cur.rowcount


async def finish(conn: Conn, *, job_id: int, attempt: int, status: str, decision_id: Any, error: str | None) -> bool:
    """Record the outcome of one attempt; False when the lease was lost and another attempt owns the job."""
    cur = await conn.execute(
        "UPDATE agent_jobs SET status = %(s)s, finished_at = now(), decision_id = %(d)s, error = %(e)s, "
        "lease_expires_at = NULL WHERE id = %(id)s AND attempts = %(a)s AND status = 'running'",
        {"id": job_id, "a": attempt, "s": status, "d": decision_id, "e": error},
    )
    return cur.rowcount == 1
