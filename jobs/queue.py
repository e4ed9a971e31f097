"""Deferring jobs inside the caller's transaction, and the procrastinate app whose tasks run the handlers
that `app/` registers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import procrastinate
import structlog
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from procrastinate.manager import JobManager
from prometheus_client import Counter
from pydantic import ValidationError

from db.pool import Conn, Pool
from jobs import repo
from jobs.kinds import ROUTINE, SPECS, JobKind, JobPayload, KindSpec, PruneJobs
from jobs.models import JobOutcome, PermanentJobError
from telemetry import propagation

_log = structlog.get_logger(component="jobs.queue")
P = TypeVar("P", bound=JobPayload)
Handler = Callable[[P], Awaitable[JobOutcome | None]]

JOB_ATTEMPTS = Counter("job_attempts_total", "Job attempts run by this process, by kind and result",
                       ["kind", "result"])

# Deferring always runs on the caller's connection (procrastinate's `connection=`), inside the caller's
# transaction: an alert and its job are committed together or not at all. This connector is never
# opened, because it is never asked for a connection of its own.
_DEFERRER = JobManager(procrastinate.PsycopgConnector())


async def defer(conn: Conn, payload: JobPayload, *, queueing_lock: str | None = None) -> int | None:
    """Queue one job in the caller's transaction; its id, or None when a job with the same queueing lock
    is already waiting (the duplicate leaves the caller's transaction usable: it runs in a savepoint)."""
    spec = SPECS[payload.kind]
    # The current trace context rides along, so the job's span continues the trace that queued it.
    job = Job(queue=spec.queue, lock=None, queueing_lock=queueing_lock, task_name=payload.kind.value,
              task_kwargs=propagation.with_carrier(payload.model_dump(mode="json")))
    try:
        async with conn.transaction():
            deferred = await _DEFERRER.defer_job_async(job, connection=conn)
    except AlreadyEnqueued:
        return None
    return deferred.id


class Backoff(procrastinate.RetryStrategy):
    """Exponential backoff, except for failures another attempt would only repeat."""

    def get_retry_decision(self, *, exception: BaseException,
                           job: Job) -> procrastinate.RetryDecision | None:
        if isinstance(exception, PermanentJobError):
            return None
        return super().get_retry_decision(exception=exception, job=job)


def retry_strategy(spec: KindSpec) -> Backoff:
    # procrastinate's max_attempts counts retries after the first run (and 0 would mean "no limit").
    assert spec.max_attempts >= 2, "a kind that is never retried needs no strategy"
    return Backoff(max_attempts=spec.max_attempts - 1, exponential_wait=spec.backoff_s)


class JobQueue:
    """The procrastinate app: one task per registered kind. `pool` is the store's pool, which handlers and
    outcome records use; procrastinate's own bookkeeping (fetch, finish, heartbeats) gets a small pool of
    its own, opened only in processes that run a worker."""

    def __init__(self, url: str, pool: Pool, *, queue_pool_size: int) -> None:
        self.pool = pool
        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(
            conninfo=url, min_size=1, max_size=queue_pool_size, name="seiko-jobs"))
        self.attempts_started = 0
        self._open = False
        self.register(PruneJobs, self._prune)

    async def open(self) -> None:
        if not self._open:
            await self.app.open_async()
            self._open = True

    async def close(self) -> None:
        if self._open:
            await self.app.close_async()
            self._open = False

    def register(self, payload_type: type[P], handler: Handler[P]) -> None:
        kind: JobKind = payload_type.kind
        spec = SPECS[kind]

        async def run(context: procrastinate.JobContext, /, **args: Any) -> None:
            job_id = context.job.id
            assert job_id is not None
            self.attempts_started += 1
            log = _log.bind(job=job_id, kind=kind.value, attempt=context.job.attempts + 1)
            arguments, carrier = propagation.split_carrier(args)
            with propagation.job_span(kind.value, job_id, context.job.attempts + 1, carrier):
                await self._run(kind, job_id, payload_type, arguments, handler, log)

        self.app.task(name=kind.value, queue=spec.queue, pass_context=True, retry=retry_strategy(spec))(run)

    async def _run(self, kind: JobKind, job_id: int, payload_type: type[P], args: dict[str, Any], handler: Handler[P],
                   log: Any) -> None:
        try:
            try:
                payload = payload_type.model_validate(args)
            except ValidationError as exc:  # arguments no release of this code can run: never retried
                raise PermanentJobError(f"invalid arguments for {kind.value}: {exc.errors()[0]['msg']}") from exc
            outcome = await handler(payload) or JobOutcome()
        except PermanentJobError as exc:
            await self._record_failure(job_id, kind, str(exc), exc.decision_id)
            JOB_ATTEMPTS.labels(kind.value, "failed").inc()
            log.warning("job_failed", error=str(exc))
            raise
        except Exception as exc:
            await self._record_failure(job_id, kind, f"{type(exc).__name__}: {exc}", None)
            JOB_ATTEMPTS.labels(kind.value, "error").inc()
            log.warning("job_attempt_failed", error=str(exc))
            raise
        async with self.pool.connection() as conn, conn.transaction():
            await repo.record_outcome(conn, job_id=job_id, kind=kind.value, decision_id=outcome.decision_id,
                                      error=None)
            for follow_up in outcome.follow_up:
                await defer(conn, follow_up)
        JOB_ATTEMPTS.labels(kind.value, "ok").inc()
        done = log.debug if kind in ROUTINE else log.info
        done("job_done", decision_id=str(outcome.decision_id) if outcome.decision_id else None)

    async def _prune(self, prune: PruneJobs) -> None:
        await self.app.job_manager.delete_old_jobs(nb_hours=prune.keep_hours, include_failed=True,
                                                   include_cancelled=True, include_aborted=True)
        async with self.pool.connection() as conn:
            outcomes = await repo.delete_orphan_outcomes(conn)
        _log.info("jobs_pruned", older_than_hours=prune.keep_hours, outcomes=outcomes)

    async def _record_failure(self, job_id: int, kind: JobKind, error: str, decision_id: Any) -> None:
        async with self.pool.connection() as conn:
            await repo.record_outcome(conn, job_id=job_id, kind=kind.value, decision_id=decision_id, error=error)
