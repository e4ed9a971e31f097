"""Periodic jobs (APScheduler, in the serving process): the safety nets that need no trigger."""

from __future__ import annotations

import time
from datetime import timedelta

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from alerts import repo as alerts_repo
from app.settings import Settings
from commerce.payments.provider import PaymentProvider
from commerce.payments.service import cancel_intents, expire_unpaid_orders
from commerce.replenishment import service as replenishment
from db.pool import Pool

_log = structlog.get_logger(component="app.scheduler")


def build_scheduler(settings: Settings, pool: Pool, payments: PaymentProvider) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def expire_orders() -> None:
        async with pool.connection() as conn:
            expired = await expire_unpaid_orders(
                conn, older_than=timedelta(minutes=settings.order_payment_timeout_minutes))
        await cancel_intents(payments, expired.intents_to_cancel)  # the connection is back in the pool
        if expired.orders:
            _log.info("unpaid_orders_expired", count=expired.orders)

    async def stock_sweep() -> None:
        """The safety net when no Alertmanager is deployed: queue a stock-agent run when a watch needs a
        reorder and has no open proposal (at most one such run per sweep period)."""
        async with pool.connection() as conn:
            expired = await replenishment.expire_stale(conn)
            needing = [w for w in await replenishment.low_stock_assessments(conn, settings.reorder_policy)
                       if w.open_proposal is None and w.suggested_quantity > 0]
            if needing:
                period = int(time.time() // (settings.stock_sweep_minutes * 60))
                await alerts_repo.enqueue(conn, kind="stock_agent", dedupe_key=f"schedule:{period}",
                                          trigger="schedule", payload={})
        if expired or needing:
            _log.info("stock_sweep", expired_proposals=expired, watches_needing_reorder=len(needing))

    # max_instances=1 and coalesce: a slow sweep is never overlapped by the next one.
    scheduler.add_job(stock_sweep, "interval", minutes=settings.stock_sweep_minutes, id="stock_sweep",
                      max_instances=1, coalesce=True)
    scheduler.add_job(expire_orders, "interval", seconds=settings.expiry_sweep_seconds, id="expire_unpaid_orders",
                      max_instances=1, coalesce=True)
    return scheduler
