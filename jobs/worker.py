"""Running the queue: a long-lived procrastinate worker, a drain for tests and drills, and recovery of
jobs whose worker died.

procrastinate claims each job with FOR UPDATE SKIP LOCKED, so any number of workers (in `seiko serve`
and in `seiko worker` processes) run each job once. Every worker writes a heartbeat; a job still marked
running whose worker's heartbeat is older than `stalled_after_s` lost its worker, and is retried (or,
after its last attempt, failed with the reason recorded) by whichever worker looks first."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from procrastinate.exceptions import ConnectorException
from procrastinate.jobs import Status

from jobs import repo
from jobs.kinds import SPECS, JobKind
from jobs.queue import JobQueue

_log = structlog.get_logger(component="jobs.worker")
# On shutdown, running jobs get this long to finish; the rest are aborted and retried elsewhere.
SHUTDOWN_GRACE_S = 30.0
_KINDS = frozenset(kind.value for kind in JobKind)


class QueueWorker:
    def __init__(self, queue: JobQueue, *, concurrency: int, stalled_after_s: float, name: str = "seiko") -> None:
        self.queue = queue
        self.concurrency = concurrency
        self.stalled_after_s = stalled_after_s
        self.name = name

    async def run_forever(self, *, install_signal_handlers: bool = False, restart_delay_s: float = 5.0) -> None:
        """Run jobs as they come (LISTEN/NOTIFY, with polling as the fallback) until cancelled, or until
        SIGINT/SIGTERM when `install_signal_handlers` (a `seiko worker` process, not the API's).

        procrastinate's worker stops when one of its own tasks fails (a lost database, its worker row
        pruned by another process that took it for dead). A separate worker process then exits and its
        supervisor starts it again; the worker inside the API has no supervisor, so it starts again itself
        after `restart_delay_s`, registering anew."""
        await self.queue.open()
        recovering = asyncio.create_task(self._recover_periodically())
        try:
            while True:
                try:
                    await self.queue.app.run_worker_async(
                        name=self.name, concurrency=self.concurrency, install_signal_handlers=install_signal_handlers,
                        # Several heartbeats per stall window, so one slow write never marks a live worker stalled.
                        update_heartbeat_interval=self.stalled_after_s / 4,
                        stalled_worker_timeout=self.stalled_after_s, shutdown_graceful_timeout=SHUTDOWN_GRACE_S,
                    )
                except Exception:
                    _log.exception("job_worker_failed")
                    if install_signal_handlers:
                        raise
                else:
                    if install_signal_handlers:
                        return
                    _log.warning("job_worker_stopped")
                await asyncio.sleep(restart_delay_s)
        finally:
            recovering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovering

    async def run_once(self) -> bool:
        """Recover stalled jobs, then run every job that is due (and those they queue) one at a time, and
        return; True when any job ran. Tests and one-off drains use it instead of a long-lived worker."""
        await self.recover_stalled()
        before = self.queue.attempts_started
        await self.queue.app.run_worker_async(
            name=f"{self.name}-drain", concurrency=1, wait=False, listen_notify=False, install_signal_handlers=False,
            stalled_worker_timeout=self.stalled_after_s,
        )
        return self.queue.attempts_started > before

    async def recover_stalled(self) -> int:
        """Retry (or fail, after their last attempt) the jobs whose worker stopped sending heartbeats;
        how many were recovered."""
        await self.queue.open()
        manager = self.queue.app.job_manager
        recovered = 0
        for job in await manager.get_stalled_jobs(seconds_since_heartbeat=self.stalled_after_s):
            assert job.id is not None
            spec = SPECS.get(JobKind(job.task_name)) if job.task_name in _KINDS else None
            try:
                if spec is not None and job.attempts + 1 >= spec.max_attempts:
                    await manager.finish_job_by_id_async(job_id=job.id, status=Status.FAILED, delete_job=False)
                    async with self.queue.pool.connection() as conn:
                        await repo.record_outcome(
                            conn, job_id=job.id, kind=job.task_name, decision_id=None,
                            error=f"abandoned: its worker stopped before finishing, {job.attempts + 1} attempt(s)")
                else:
                    await manager.retry_job(job)
            except ConnectorException:
                continue  # another worker recovered it first
            recovered += 1
            _log.warning("stalled_job_recovered", job=job.id, kind=job.task_name, attempts=job.attempts + 1)
        return recovered

    async def _recover_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.stalled_after_s / 2)
            try:
                await self.recover_stalled()
            except Exception:
                _log.exception("stalled_job_recovery_failed")
