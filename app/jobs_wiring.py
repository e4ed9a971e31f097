"""The handler of every job kind, wired to the queue: plain async functions over the store's parts.

No handler keeps a database connection while it waits on a network peer: the notification reads the
proposals with a borrowed connection, gives it back, then posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
import structlog

from agent.services import AgentServices
from agent.stock_agent import run_stock_agent
from app.settings import Settings
from commerce.forecasting import repo as forecast_repo
from commerce.forecasting.service import refresh_forecasts
from commerce.payments.provider import PaymentProvider
from commerce.payments.service import cancel_intents, expire_unpaid_orders
from commerce.replenishment import earned
from commerce.replenishment import service as replenishment
from commerce.replenishment.models import ProposalPublic, ProposalStatus, ReorderPolicy
from db.pool import Pool
from decision_log import service as decisions
from events.feeds import daily_units
from events.relay import Relay
from jobs.kinds import (
    EmbeddingRefresh,
    ForecastRefresh,
    OrderExpiry,
    OutboxRelay,
    ProposalNotification,
    StockAgentRun,
)
from jobs.models import JobOutcome, PermanentJobError
from jobs.queue import JobQueue
from jobs.worker import QueueWorker
from rag.embedder import Embedder
from rag.indexer import index_missing

_log = structlog.get_logger(component="app.jobs")
NOTIFY_TIMEOUT_S = 5.0


class NotificationFailed(Exception):
    """The webhook target did not take the message (network error or 5xx): retried with backoff."""


@dataclass
class JobHandlers:
    pool: Pool
    agents: AgentServices
    payments: PaymentProvider
    embedder: Embedder
    order_payment_timeout: timedelta
    notify_url: str | None
    reorder_policy: ReorderPolicy
    relay: Relay

    async def stock_agent(self, run: StockAgentRun) -> JobOutcome:
        # The one place the queue calls into the agent. The run holds no connection while the model
        # thinks (it borrows from the agents' own pool per short write), and takes a slot of the AI
        # bulkhead, waiting for one when chats have them all.
        async with await self.agents.capacity.admit():
            result = await run_stock_agent(self.agents.stock, self.agents.pool, trigger=run.trigger,
                                           policy=self.agents.policy, alert=run.alert)
        _log.info("stock_agent_ran", trigger=run.trigger, outcome=result.outcome, provider=result.provider,
                  decision_id=str(result.decision_id))
        if result.outcome != "completed":
            # The run happened and was recorded; running it again would repeat it, not fix it.
            raise PermanentJobError(result.error or f"the run ended with outcome {result.outcome}",
                                    decision_id=result.decision_id)
        notify = (ProposalNotification(decision_id=result.decision_id),) if self.notify_url else ()
        return JobOutcome(decision_id=result.decision_id, follow_up=notify)

    async def notify_proposals(self, note: ProposalNotification) -> None:
        """New proposals go to a Slack-compatible webhook; a failed delivery is retried by the queue."""
        assert self.notify_url is not None, "queued only when a webhook is configured"
        async with self.pool.connection() as conn:
            pending = await replenishment.list_proposals(conn, status=ProposalStatus.pending)
            run = await decisions.get_decision(conn, decision_id=note.decision_id)
        created = [p for p in pending if p.decision_id == note.decision_id]
        if not created and not run.skipped:
            return
        text = ("New reorder proposals:\n" + "\n".join(
            f"• {p.reference} x{p.quantity} (${p.total_cost}){_card_line(p)} — {p.rationale[:200]}" for p in created)
            if created else "No new reorder proposals.")
        if run.skipped:  # what the run did not do is part of the news, never hidden
            text += "\nNot proposed:\n" + "\n".join(f"• {s.subject}: {s.reason[:200]}" for s in run.skipped)
        try:
            async with httpx.AsyncClient(timeout=NOTIFY_TIMEOUT_S) as client:
                response = await client.post(self.notify_url, json={"text": text})
        except httpx.HTTPError as exc:
            raise NotificationFailed(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise NotificationFailed(f"the webhook answered {response.status_code}")
        if response.status_code >= 400:
            raise PermanentJobError(f"the webhook refused the message: {response.status_code}")

    async def order_expiry(self, _: OrderExpiry) -> None:
        async with self.pool.connection() as conn:
            expired = await expire_unpaid_orders(conn, older_than=self.order_payment_timeout)
        await cancel_intents(self.payments, expired.intents_to_cancel)  # the connection is back in the pool
        if expired.orders:
            _log.info("unpaid_orders_expired", count=expired.orders)

    async def embedding_refresh(self, _: EmbeddingRefresh) -> None:
        async with self.pool.connection() as conn:
            report = await index_missing(conn, self.embedder)
        _log.info("search_index_refreshed", embedded=report.embedded, unchanged=report.unchanged)


    async def outbox_relay(self, run: OutboxRelay) -> None:
        relayed = await self.relay.follow(linger_s=run.linger_s)
        if relayed:
            _log.debug("events_relayed", count=relayed, destination=self.relay.publisher.destination)

    async def forecast_refresh(self, job: ForecastRefresh) -> None:
        policy = self.reorder_policy
        async with self.pool.connection() as conn:
            only = set(await forecast_repo.stale(conn)) if job.stale_only else None
            refitted = 0 if only == set() else await refresh_forecasts(
                conn, fill_rates=policy.fill_rates, cover_days=policy.cover_days, sales=daily_units, only=only)
            measured = await earned.measure_outcomes(conn)
            verdicts = await earned.evaluate_autonomy(conn, policy)
        _log.info("forecasts_refreshed", refitted=refitted, outcomes_measured=measured,
                  autonomy={k: v.enabled for k, v in verdicts.items()})


def _card_line(p: ProposalPublic) -> str:
    """The decision card in one line, so the person reading the message sees what is at stake."""
    if p.forecast is None:
        return ""
    runs_out = f"runs out {p.projected_stockout_date}, order by {p.last_order_date}" if p.projected_stockout_date \
        else "not running out at this rate"
    return (f": forecast {p.forecast.daily_mean:.2f}/day ({p.forecast.model}), {runs_out}, "
            f"${p.revenue_at_risk} at risk if rejected, {p.days_of_cover_after} days of cover after")


def build_job_queue(settings: Settings, url: str, handlers: JobHandlers) -> JobQueue:
    # procrastinate's own pool: one connection per running job's fetch and finish, plus heartbeats,
    # abort polling and stalled-job recovery.
    queue = JobQueue(url, handlers.pool, queue_pool_size=settings.worker_concurrency + 3)
    queue.register(StockAgentRun, handlers.stock_agent)
    queue.register(ProposalNotification, handlers.notify_proposals)
    queue.register(OrderExpiry, handlers.order_expiry)
    queue.register(EmbeddingRefresh, handlers.embedding_refresh)
    queue.register(ForecastRefresh, handlers.forecast_refresh)
    queue.register(OutboxRelay, handlers.outbox_relay)
    return queue


def build_worker(settings: Settings, queue: JobQueue, *, name: str) -> QueueWorker:
    return QueueWorker(queue, concurrency=settings.worker_concurrency, stalled_after_s=settings.job_stalled_after_s,
                       name=name)
