"""The job queue (procrastinate): each job runs once however many workers race for it, failures are
retried with backoff and then fail visibly, a job whose worker died is taken over, duplicate alert
deliveries queue one run, an alert and its job commit together, and the queue's depth and age are
exported."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from alerts.drill import get_job
from alerts.intake import take_firing
from alerts.models import AmAlert
from app.gauges import refresh_business_gauges
from db.pool import Conn, Pool, open_pool
from jobs.kinds import SPECS, JobKind, PruneJobs, StockAgentRun
from jobs.models import JobOutcome, PermanentJobError
from jobs.queue import JobQueue, defer
from jobs.worker import QueueWorker
from tests.fix_app import ALERT_TOKEN, scrape

pytestmark = pytest.mark.integration
Handler = Callable[[StockAgentRun], Awaitable[JobOutcome | None]]


@pytest_asyncio.fixture
async def pool(db_url: str) -> AsyncIterator[Pool]:
    pool = await open_pool(db_url, min_size=1, max_size=8)
    yield pool
    await pool.close()


@pytest_asyncio.fixture
async def workers(db_url: str, pool: Pool) -> AsyncIterator[Callable[[Handler], QueueWorker]]:
    """Workers as separate processes would have them: each its own procrastinate app and queue pool."""
    queues: list[JobQueue] = []

    def make(handler: Handler) -> QueueWorker:
        queue = JobQueue(db_url, pool, queue_pool_size=3)
        queue.register(StockAgentRun, handler)
        queues.append(queue)
        return QueueWorker(queue, concurrency=2, stalled_after_s=30)

    yield make
    for queue in queues:
        await queue.close()


async def queue_run(conn: Conn, trigger: str) -> int:
    job_id = await defer(conn, StockAgentRun(trigger=trigger))
    assert job_id is not None
    return job_id


async def job_row(conn: Conn, job_id: int) -> dict[str, Any]:
    cur = await conn.execute("SELECT j.status::text, j.attempts, j.scheduled_at, o.recorded_at, o.error, o.decision_id "
                             "FROM procrastinate_jobs j LEFT JOIN job_outcomes o ON o.job_id = j.id "
                             "WHERE j.id = %s", (job_id,))
    row = await cur.fetchone()
    assert row is not None
    return row


async def test_each_job_runs_once_while_two_workers_race(workers: Callable[[Handler], QueueWorker],
                                                          conn: Conn) -> None:
    ran: list[str] = []

    async def handler(run: StockAgentRun) -> JobOutcome:
        ran.append(run.trigger)
        await asyncio.sleep(0)  # let the other worker in while this job is held
        return JobOutcome(decision_id=uuid.uuid4())

    first, second = workers(handler), workers(handler)
    triggers = [f"race-{i}" for i in range(20)]
    for trigger in triggers:
        await queue_run(conn, trigger)
    results = await asyncio.gather(first.run_once(), second.run_once())
    assert any(results)
    assert sorted(ran) == sorted(triggers), "every job ran, none twice"
    cur = await conn.execute("SELECT status::text AS status, count(*) AS n FROM procrastinate_jobs GROUP BY 1")
    assert await cur.fetchall() == [{"status": "succeeded", "n": 20}]
    cur = await conn.execute("SELECT count(*) AS n FROM job_outcomes WHERE decision_id IS NOT NULL AND error IS NULL")
    assert await cur.fetchone() == {"n": 20}

    ran.clear()
    await queue_run(conn, "one")
    assert sorted(await asyncio.gather(first.run_once(), second.run_once())) == [False, True]
    assert ran == ["one"]


async def test_a_failing_job_is_retried_with_growing_backoff_then_fails_visibly(
    workers: Callable[[Handler], QueueWorker], conn: Conn
) -> None:
    attempts: list[str] = []

    async def handler(run: StockAgentRun) -> None:
        attempts.append(run.trigger)
        raise RuntimeError(f"model unreachable (attempt {len(attempts)})")

    worker = workers(handler)
    job_id = await queue_run(conn, "flaky")
    spec = SPECS[JobKind.stock_agent]
    delays: list[float] = []
    for attempt in range(1, spec.max_attempts):
        assert await worker.run_once()
        row = await job_row(conn, job_id)
        assert (row["status"], row["attempts"]) == ("todo", attempt), "queued again, for later"
        assert row["error"] == f"RuntimeError: model unreachable (attempt {attempt})"
        # The retry is due backoff_s ** attempt after the failure was recorded (and not sooner).
        delays.append((row["scheduled_at"] - row["recorded_at"]).total_seconds())
        assert delays[-1] >= spec.backoff_s ** attempt - 0.5
        await conn.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = %s", (job_id,))
    assert delays == sorted(delays)
    assert await worker.run_once()
    assert len(attempts) == spec.max_attempts
    row = await job_row(conn, job_id)
    assert (row["status"], row["attempts"]) == ("failed", spec.max_attempts)
    assert not await worker.run_once(), "no attempts left: nothing runs"
    job = await get_job(conn, job_id=job_id)
    assert (job.status, job.attempts, job.trigger, job.kind) == ("failed", 3, "flaky", "stock_agent")
    assert job.error == f"RuntimeError: model unreachable (attempt {spec.max_attempts})"
    assert job.finished_at is not None and job.started_at is not None


async def test_a_permanent_failure_is_not_retried_and_keeps_its_decision(
    workers: Callable[[Handler], QueueWorker], conn: Conn
) -> None:
    decision = uuid.uuid4()

    async def handler(run: StockAgentRun) -> None:
        raise PermanentJobError("the run ended with outcome deadline", decision_id=decision)

    job_id = await queue_run(conn, "deadline")
    assert await workers(handler).run_once()
    job = await get_job(conn, job_id=job_id)
    assert (job.status, job.attempts, job.decision_id, job.error) == (
        "failed", 1, decision, "the run ended with outcome deadline")


async def dead_worker_holds(conn: Conn, job_id: int, *, attempts: int = 0) -> None:
    """A worker claimed the job, then died: its last heartbeat is an hour old and the job is still 'doing'."""
    cur = await conn.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') "
                             "RETURNING id")
    row = await cur.fetchone()
    assert row is not None
    await conn.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s, attempts = %s WHERE id = %s",
                       (row["id"], attempts, job_id))


async def test_a_job_whose_worker_died_is_taken_over(workers: Callable[[Handler], QueueWorker], conn: Conn) -> None:
    decision = uuid.uuid4()
    ran: list[str] = []

    async def handler(run: StockAgentRun) -> JobOutcome:
        ran.append(run.trigger)
        return JobOutcome(decision_id=decision)

    worker = workers(handler)
    live = await queue_run(conn, "held by a live worker")
    cur = await conn.execute("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")
    live_worker = await cur.fetchone()
    assert live_worker is not None
    await conn.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
                       (live_worker["id"], live))
    stalled = await queue_run(conn, "stalled")
    await dead_worker_holds(conn, stalled)

    assert await worker.run_once(), "another worker takes the stalled job over"
    assert ran == ["stalled"], "a job whose worker is alive is left alone"
    job = await get_job(conn, job_id=stalled)
    assert (job.status, job.attempts, job.decision_id) == ("done", 2, decision)
    assert (await get_job(conn, job_id=live)).status == "running"


async def test_a_job_that_keeps_losing_its_worker_fails_after_the_last_attempt(
    workers: Callable[[Handler], QueueWorker], conn: Conn
) -> None:
    async def handler(run: StockAgentRun) -> None:
        raise AssertionError("never runs")

    job_id = await queue_run(conn, "cursed")
    await dead_worker_holds(conn, job_id, attempts=SPECS[JobKind.stock_agent].max_attempts - 1)
    worker = workers(handler)
    assert await worker.recover_stalled() == 1
    assert not await worker.run_once()
    job = await get_job(conn, job_id=job_id)
    assert (job.status, job.attempts) == ("failed", 3)
    assert job.error is not None and job.error.startswith("abandoned")


def alert(fingerprint: str) -> dict[str, Any]:
    return {"status": "firing", "fingerprint": fingerprint, "startsAt": "2026-11-25T09:00:00Z",
            "labels": {"alertname": "WatchesLowStock", "alert_type": "stock"}, "annotations": {}}


async def test_duplicate_deliveries_at_once_queue_one_run(client: httpx.AsyncClient, conn: Conn) -> None:
    body = {"version": "4", "status": "firing", "alerts": [alert("dup-fp")]}
    auth = {"Authorization": f"Bearer {ALERT_TOKEN}"}
    responses = await asyncio.gather(*(client.post("/api/v1/alerts/alertmanager", json=body, headers=auth)
                                       for _ in range(12)))
    assert {r.status_code for r in responses} == {202}
    assert sum(r.json()["queued"] for r in responses) == 1
    cur = await conn.execute("SELECT task_name, queue_name, queueing_lock, args->>'trigger' AS trigger "
                             "FROM procrastinate_jobs")
    assert await cur.fetchall() == [{"task_name": "stock_agent", "queue_name": "agent", "trigger": "alert:dup-fp",
                                     "queueing_lock": "alert:dup-fp:2026-11-25T09:00:00+00:00"}]
    cur = await conn.execute("SELECT received_count FROM alerts WHERE fingerprint = 'dup-fp'")
    assert await cur.fetchone() == {"received_count": 12}


async def test_an_alert_and_its_job_commit_together(conn: Conn) -> None:
    firing = AmAlert.model_validate(alert("atomic-fp"))
    with pytest.raises(RuntimeError):
        async with conn.transaction():
            assert await take_firing(conn, firing) is not None
            raise RuntimeError("the intake fails after queueing")
    for table in ("alerts", "procrastinate_jobs"):
        cur = await conn.execute(f"SELECT count(*) AS n FROM {table}")
        assert await cur.fetchone() == {"n": 0}, table


async def test_a_waiting_job_with_the_same_queueing_lock_is_not_queued_twice(conn: Conn) -> None:
    async with conn.transaction():
        first = await defer(conn, StockAgentRun(trigger="schedule"), queueing_lock="schedule:stock_sweep")
        second = await defer(conn, StockAgentRun(trigger="schedule"), queueing_lock="schedule:stock_sweep")
        await conn.execute("SELECT 1")  # the duplicate left the transaction usable
    assert first is not None and second is None


def gauges(text: str) -> dict[tuple[str, str, str], float]:
    return {(s.name, s.labels["queue"], s.labels["status"]): s.value
            for family in text_string_to_metric_families(text) if family.name.startswith("job_queue_")
            for s in family.samples}


async def test_queue_depth_and_oldest_age_per_queue_and_status(conn: Conn) -> None:
    old = await queue_run(conn, "waiting for ten minutes")
    await queue_run(conn, "just queued")
    running = await queue_run(conn, "running")
    await conn.execute("UPDATE procrastinate_events SET at = now() - interval '10 minutes' WHERE job_id = %s", (old,))
    cur = await conn.execute("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")
    worker = await cur.fetchone()
    assert worker is not None
    await conn.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
                       (worker["id"], running))
    await conn.execute("UPDATE procrastinate_events SET at = now() - interval '2 minutes' "
                       "WHERE job_id = %s AND type = 'started'", (running,))
    # A retry due in an hour counts as waiting, but is not late.
    later = await defer(conn, StockAgentRun(trigger="retry later"))
    await conn.execute("UPDATE procrastinate_jobs SET scheduled_at = now() + interval '1 hour' WHERE id = %s",
                       (later,))

    await refresh_business_gauges(conn)  # what the scheduled refresh does (app/gauges.py)
    found = gauges(scrape())
    assert found[("job_queue_jobs", "agent", "todo")] == 3
    assert found[("job_queue_jobs", "agent", "doing")] == 1
    assert 600 <= found[("job_queue_oldest_age_seconds", "agent", "todo")] < 3600
    assert 120 <= found[("job_queue_oldest_age_seconds", "agent", "doing")] < 600
    for queue in ("maintenance", "notify"):
        assert found[("job_queue_jobs", queue, "todo")] == found[("job_queue_oldest_age_seconds", queue, "todo")] == 0

    await conn.execute("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE status IN ('todo', 'doing')")
    await refresh_business_gauges(conn)
    found = gauges(scrape())
    assert found[("job_queue_jobs", "agent", "todo")] == found[("job_queue_oldest_age_seconds", "agent", "todo")] == 0


async def test_the_periodic_triggers_queue_jobs_once_and_a_worker_runs_them(app: FastAPI, conn: Conn) -> None:
    from app.scheduler import build_scheduler
    from tests.fix_app import make_settings

    scheduler = build_scheduler(make_settings("unused"), app.state.pool)
    for trigger in ("expire_unpaid_orders", "embedding_refresh"):
        for _ in range(2):  # a second firing (or a second API replica) before the job ran
            await scheduler.get_job(trigger).func()
    cur = await conn.execute("SELECT task_name, queue_name, queueing_lock FROM procrastinate_jobs ORDER BY id")
    assert await cur.fetchall() == [
        {"task_name": "order_expiry", "queue_name": "maintenance", "queueing_lock": "schedule:order_expiry"},
        {"task_name": "embedding_refresh", "queue_name": "maintenance", "queueing_lock": "schedule:embedding_refresh"},
    ]
    assert await app.state.worker.run_once()
    cur = await conn.execute("SELECT DISTINCT status::text AS status FROM procrastinate_jobs")
    assert await cur.fetchall() == [{"status": "succeeded"}]


async def test_finished_jobs_and_their_outcomes_are_pruned_after_the_retention(
    workers: Callable[[Handler], QueueWorker], conn: Conn
) -> None:
    async def handler(run: StockAgentRun) -> None:
        raise AssertionError("never runs")

    ids = {}
    for name, status, age in (("old done", "succeeded", "20 days"), ("old failed", "failed", "20 days"),
                              ("recent done", "succeeded", "1 day"), ("old but waiting", "todo", "20 days")):
        ids[name] = await queue_run(conn, name)
        await conn.execute("UPDATE procrastinate_jobs SET status = %s WHERE id = %s", (status, ids[name]))
        await conn.execute("UPDATE procrastinate_events SET at = now() - %s::interval WHERE job_id = %s",
                           (age, ids[name]))
        await conn.execute("INSERT INTO job_outcomes (job_id, kind) VALUES (%s, 'stock_agent')", (ids[name],))
    await conn.execute("UPDATE procrastinate_jobs SET scheduled_at = now() + interval '1 day' WHERE id = %s",
                       (ids["old but waiting"],))  # not due: the drain below leaves it alone
    await defer(conn, PruneJobs(keep_hours=14 * 24))
    assert await workers(handler).run_once()
    cur = await conn.execute("SELECT args->>'trigger' AS trigger FROM procrastinate_jobs "
                             "WHERE task_name = 'stock_agent' ORDER BY id")
    assert [r["trigger"] for r in await cur.fetchall()] == ["recent done", "old but waiting"]
    cur = await conn.execute("SELECT job_id FROM job_outcomes WHERE kind = 'stock_agent' ORDER BY job_id")
    assert [r["job_id"] for r in await cur.fetchall()] == [ids["recent done"], ids["old but waiting"]]


async def test_a_job_with_arguments_its_kind_cannot_take_fails_at_once(
    workers: Callable[[Handler], QueueWorker], conn: Conn
) -> None:
    async def handler(run: StockAgentRun) -> None:
        raise AssertionError("never runs")

    job_id = await queue_run(conn, "garbled")
    await conn.execute("""UPDATE procrastinate_jobs SET args = '{"trigger": 42, "extra": true}' WHERE id = %s""",
                       (job_id,))
    assert await workers(handler).run_once()
    job = await get_job(conn, job_id=job_id)
    assert (job.status, job.attempts) == ("failed", 1)
    assert job.error is not None and job.error.startswith("invalid arguments for stock_agent")


async def wait_until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll a condition the worker task brings about (a generous deadline, never a measured duration)."""
    for _ in range(600):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


async def test_the_api_processs_worker_starts_again_after_its_worker_row_was_pruned(
    workers: Callable[[Handler], QueueWorker], conn: Conn
) -> None:
    ran: list[str] = []

    async def handler(run: StockAgentRun) -> None:
        ran.append(run.trigger)

    async def registered() -> bool:
        cur = await conn.execute("SELECT count(*) AS n FROM procrastinate_workers")
        row = await cur.fetchone()
        return row is not None and row["n"] > 0

    async def finished() -> bool:
        cur = await conn.execute("SELECT count(*) AS n FROM procrastinate_jobs WHERE status = 'succeeded'")
        row = await cur.fetchone()
        return row is not None and row["n"] == 1

    running = asyncio.create_task(workers(handler).run_forever(restart_delay_s=0.1))
    try:
        await wait_until(registered, "the worker to register")
        # Another process took this worker for dead and pruned it: its next claim names a worker that no
        # longer exists, procrastinate's worker stops, and the API's worker must come back by itself.
        await conn.execute("DELETE FROM procrastinate_workers")
        await queue_run(conn, "after the prune")
        await wait_until(finished, "the job to run")
        assert ran == ["after the prune"]
        assert not running.done()
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
