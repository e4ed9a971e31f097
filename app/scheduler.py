"""Periodic jobs (APScheduler, in the serving process): the safety nets that need no trigger."""

from __future__ import annotations

from datetime import timedelta

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.settings import Settings
from commerce.payments.provider import PaymentProvider
from commerce.payments.service import expire_unpaid_orders
from db.pool import Pool

_log = structlog.get_logger(component="app.scheduler")


def build_scheduler(settings: Settings, pool: Pool, payments: PaymentProvider) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def expire_orders() -> None:
        async with pool.connection() as conn:
            count = await expire_unpaid_orders(
                conn, provider=payments, older_than=timedelta(minutes=settings.order_payment_timeout_minutes)
            )
        if count:
            _log.info("unpaid_orders_expired", count=count)

    # max_instances=1 and coalesce: a slow sweep is never overlapped by the next one.
    scheduler.add_job(expire_orders, "interval", seconds=settings.expiry_sweep_seconds, id="expire_unpaid_orders",
                      max_instances=1, coalesce=True)
    return scheduler
