"""Agent jobs are leased: a job whose worker died mid-run is taken over after the lease, a late
finish from the dead worker changes nothing, and after the last attempt the job fails visibly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI

from alerts import repo as jobs
from db.pool import Conn

pytestmark = pytest.mark.integration
LEASE = timedelta(minutes=10)


async def queue(conn: Conn, key: str) -> int:
    job_id = await jobs.enqueue(conn, kind="stock_agent", dedupe_key=key, trigger="schedule", payload={})
    assert job_id is not None
    return job_id


async def worker_dies_holding(conn: Conn, job_id: int) -> dict[str, object]:
    """Claim like a worker would, then let the lease run out without finishing."""
    claimed = await jobs.claim_next(conn, lease=LEASE, max_attempts=3)
    assert claimed is not None and claimed["id"] == job_id
    await conn.execute("UPDATE agent_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = %(id)s",
                       {"id": job_id})
    return claimed


async def test_a_job_within_its_lease_is_not_taken(app: FastAPI, conn: Conn) -> None:
    await queue(conn, "lease-held")
    assert await jobs.claim_next(conn, lease=LEASE, max_attempts=3) is not None
    assert not await app.state.worker.run_once()
    cur = await conn.execute("SELECT status, attempts FROM agent_jobs")
    assert await cur.fetchall() == [{"status": "running", "attempts": 1}]


async def test_an_abandoned_job_is_reclaimed_and_the_dead_workers_late_finish_is_ignored(
    app: FastAPI, conn: Conn
) -> None:
    job_id = await queue(conn, "lease-reclaim")
    dead = await worker_dies_holding(conn, job_id)
    assert await app.state.worker.run_once(), "another worker takes the job over"
    job = await jobs.get_job(conn, job_id=job_id)
    assert job is not None
    assert (job["status"], job["attempts"]) == ("done", 2)
    assert job["decision_id"] is not None
    late = await jobs.finish(conn, job_id=job_id, attempt=int(str(dead["attempts"])), status="failed",
                             decision_id=None, error="the dead worker woke up")
    assert late is False
    job = await jobs.get_job(conn, job_id=job_id)
    assert job is not None and (job["status"], job["error"]) == ("done", None)


async def test_a_job_that_keeps_losing_its_worker_fails_after_the_last_attempt(app: FastAPI, conn: Conn) -> None:
    job_id = await queue(conn, "lease-exhausted")
    for _ in range(3):
        await worker_dies_holding(conn, job_id)
    assert not await app.state.worker.run_once(), "no attempts left: nothing runs"
    job = await jobs.get_job(conn, job_id=job_id)
    assert job is not None
    assert (job["status"], job["attempts"]) == ("failed", 3)
    assert job["error"].startswith("abandoned")
    assert not await app.state.worker.run_once()
