"""Periodic triggers (APScheduler, in the serving process): the safety nets that need no outside event.

They decide cheaply whether work is due and queue it as a job; the work itself runs in a worker, with
the queue's retries. Each job carries a queueing lock, so several API replicas firing at once, or a
trigger firing again before the last job ran, still queue one."""

from __future__ import annotations

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.settings import Settings
from commerce.replenishment import service as replenishment
from db.pool import Pool
from jobs.kinds import EmbeddingRefresh, ForecastRefresh, OrderExpiry, OutboxRelay, PruneJobs, StockAgentRun
from jobs.queue import defer

_log = structlog.get_logger(component="app.scheduler")
STOCK_SWEEP_LOCK = "schedule:stock_sweep"


def build_scheduler(settings: Settings, pool: Pool) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def expire_orders() -> None:
        async with pool.connection() as conn:
            await defer(conn, OrderExpiry(), queueing_lock="schedule:order_expiry")

    async def refresh_embeddings() -> None:
        async with pool.connection() as conn:
            await defer(conn, EmbeddingRefresh(), queueing_lock="schedule:embedding_refresh")

    async def prune_jobs() -> None:
        async with pool.connection() as conn:
            await defer(conn, PruneJobs(keep_hours=settings.job_retention_days * 24),
                        queueing_lock="schedule:prune_jobs")

    async def relay_events() -> None:
        async with pool.connection() as conn:
            # Each job relays for one period; the next waits in the queue meanwhile (the lock keeps it one).
            await defer(conn, OutboxRelay(linger_s=settings.events_relay_seconds),
                        queueing_lock="schedule:outbox_relay")

    async def stock_sweep() -> None:
        """The safety net when no Alertmanager is deployed: queue a stock-agent run when a watch needs a
        reorder and has no open proposal."""
        async with pool.connection() as conn:
            expired = await replenishment.expire_stale(conn)
            needing = [w for w in await replenishment.low_stock_assessments(conn, settings.reorder_policy)
                       if w.proposable_quantity > 0]
            if needing:
                await defer(conn, StockAgentRun(trigger="schedule"), queueing_lock=STOCK_SWEEP_LOCK)
            # Watches that ran out or came back since their last fit are refitted (their censored
            # days changed); outcomes are measured and earned autonomy re-judged on the same job.
            await defer(conn, ForecastRefresh(stale_only=True), queueing_lock="schedule:forecast_refresh")
        if expired or needing:
            _log.info("stock_sweep", expired_proposals=expired, watches_needing_reorder=len(needing))

    # max_instances=1 and coalesce: a slow trigger is never overlapped by the next one.
    scheduler.add_job(stock_sweep, "interval", minutes=settings.stock_sweep_minutes, id="stock_sweep",
                      max_instances=1, coalesce=True)
    scheduler.add_job(expire_orders, "interval", seconds=settings.expiry_sweep_seconds, id="expire_unpaid_orders",
                      max_instances=1, coalesce=True)
    scheduler.add_job(refresh_embeddings, "interval", minutes=settings.embedding_refresh_minutes,
                      id="embedding_refresh", max_instances=1, coalesce=True)
    scheduler.add_job(relay_events, "interval", seconds=settings.events_relay_seconds, id="outbox_relay",
                      max_instances=1, coalesce=True)
    async def refit_forecasts() -> None:
        async with pool.connection() as conn:
            await defer(conn, ForecastRefresh(), queueing_lock="schedule:forecast_refit")

    scheduler.add_job(prune_jobs, "interval", hours=24, id="prune_jobs", max_instances=1, coalesce=True)
    scheduler.add_job(refit_forecasts, "interval", hours=24, id="forecast_refit", max_instances=1, coalesce=True)
    return scheduler
