"""The background worker: claims agent jobs from the Postgres queue and runs the stock agent.

Several workers (in `seiko serve` and any number of `seiko worker` processes) can run at once: a job is
claimed with FOR UPDATE SKIP LOCKED, so each runs exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta
from typing import Any

import httpx
import structlog

from agent.loop import RunResult
from agent.services import AgentServices
from agent.stock_agent import run_stock_agent
from alerts import repo as jobs
from commerce.replenishment import service as replenishment
from commerce.replenishment.models import ProposalStatus
from db.pool import Pool
from decision_log import service as decisions

_log = structlog.get_logger(component="app.worker")
IDLE_POLL_S = 0.5


# A run is capped at a minute of wall time (agent/limits.py), so a lease of ten minutes only runs out
# when the worker holding it died; the job is then retried, at most MAX_ATTEMPTS times in all.
JOB_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3
# Failing abandoned jobs is housekeeping: once a minute is plenty, not on every idle poll.
ABANDONED_SWEEP_S = 60.0


class Worker:
    def __init__(self, pool: Pool, agents: AgentServices, *, notify_url: str | None = None,
                 lease: timedelta = JOB_LEASE, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.pool = pool
        self.agents = agents
        self.notify_url = notify_url
        self.lease = lease
        self.max_attempts = max_attempts
        self._next_sweep = 0.0

    async def run_forever(self) -> None:
        while True:
            try:
                worked = await self.run_once()
            except Exception:
                _log.exception("worker_iteration_failed")
                worked = False
            if not worked:
                await asyncio.sleep(IDLE_POLL_S)

    async def run_once(self) -> bool:
        """Run one queued job, if any; True when a job ran. A connection is borrowed to claim the job and
        again to record its end; none is held while the agent runs or the notification is sent."""
        async with self.pool.connection() as conn:
            job = await jobs.claim_next(conn, lease=self.lease, max_attempts=self.max_attempts)
            if job is None:
                await self._fail_abandoned(conn)
                return False
        try:
            async with await self.agents.capacity.admit():
                result = await run_stock_agent(self.agents.stock, self.agents.pool, trigger=job["trigger"],
                                               policy=self.agents.policy, alert=job["payload"] or None)
        except Exception as exc:
            async with self.pool.connection() as conn:
                await jobs.finish(conn, job_id=job["id"], attempt=job["attempts"], status="failed",
                                  decision_id=None, error=str(exc))
            raise
        async with self.pool.connection() as conn:
            await jobs.finish(conn, job_id=job["id"], attempt=job["attempts"],
                              status="done" if result.outcome == "completed" else "failed",
                              decision_id=result.decision_id, error=result.error)
        _log.info("stock_agent_ran", job=job["id"], trigger=job["trigger"], outcome=result.outcome,
                  provider=result.provider, decision_id=str(result.decision_id))
        await self._notify(result)
        return True

    async def _fail_abandoned(self, conn: Any) -> None:
        if time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + ABANDONED_SWEEP_S
        if abandoned := await jobs.fail_abandoned(conn, max_attempts=self.max_attempts):
            _log.warning("agent_jobs_abandoned", count=abandoned)

    async def _notify(self, result: RunResult) -> None:
        """New proposals go to a Slack-compatible webhook, retried a few times; failures are logged.
        The proposals are read first; the webhook is called with no connection held."""
        if not self.notify_url:
            return
        async with self.pool.connection() as conn:
            created = [p for p in await replenishment.list_proposals(conn, status=ProposalStatus.pending)
                       if p.decision_id == result.decision_id]
            run = await decisions.get_decision(conn, decision_id=result.decision_id)
        if not created and not run.skipped:
            return
        text = ("New reorder proposals:\n" + "\n".join(
            f"• {p.reference} x{p.quantity} (${p.total_cost}) — {p.rationale[:200]}" for p in created)
            if created else "No new reorder proposals.")
        if run.skipped:
            text += "\nNot proposed:\n" + "\n".join(f"• {s.subject}: {s.reason[:200]}" for s in run.skipped)
        async with httpx.AsyncClient(timeout=5) as client:
            for attempt in range(3):
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.post(self.notify_url, json={"text": text})
                    if response.status_code < 500:
                        return
                await asyncio.sleep(0.5 * 2**attempt)
        _log.warning("proposal_notification_failed", url=self.notify_url)
