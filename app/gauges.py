"""Gauges that mirror database state, refreshed on a schedule rather than per scrape.

A scrape then costs no database work whoever sends it; the values are at most one period old, well
inside Prometheus' own scrape interval and the low-stock alert's `for:` window."""

from __future__ import annotations

import asyncio

import structlog

from commerce import metrics
from commerce.inventory import repo as inventory_repo
from commerce.orders import service as orders
from commerce.replenishment import service as replenishment
from db.pool import Conn, Pool
from events.relay import refresh_lag_gauges
from jobs import metrics as job_metrics

_log = structlog.get_logger(component="app.gauges")


async def refresh_business_gauges(conn: Conn) -> None:
    metrics.WATCHES_LOW_STOCK.set(await inventory_repo.count_low_stock(conn))
    for status, count in (await replenishment.counts_by_status(conn)).items():
        metrics.REORDER_PROPOSALS.labels(status.value).set(count)
    await orders.refresh_gauges(conn)  # reserved-but-unpaid units
    # The job queue is shared by every process: its depth and oldest age, read here once per period.
    await job_metrics.refresh(conn)
    await refresh_lag_gauges(conn)  # the event log's relay: events waiting and the oldest one's age


async def refresh_forever(pool: Pool, *, every_seconds: float) -> None:
    """Refresh now, then every period; a failed refresh (database away) keeps the last values."""
    while True:
        try:
            async with pool.connection(timeout=every_seconds) as conn:
                await refresh_business_gauges(conn)
        except Exception:
            _log.warning("business_gauges_refresh_failed", exc_info=True)
        await asyncio.sleep(every_seconds)
