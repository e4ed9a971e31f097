"""Probes and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ConnDep, PoolDep, Public
from api.problems import problem
from commerce import metrics
from commerce.inventory import repo as inventory_repo
from commerce.orders import service as orders
from commerce.replenishment import service as replenishment

router = APIRouter(tags=["health"], dependencies=[Public])


@router.get("/health", summary="The process is alive")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="The database answers", responses={503: {"description": "Database unreachable"}})
async def ready(pool: PoolDep) -> Response:
    try:
        async with pool.connection(timeout=2) as conn:
            await conn.execute("SELECT 1")
    except Exception:
        return problem(503, code="database_unavailable", detail="The database is not reachable")
    return Response('{"status":"ready"}', media_type="application/json")


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(conn: ConnDep) -> Response:
    # Gauges that mirror database state are read at scrape time, so they are never stale.
    metrics.WATCHES_LOW_STOCK.set(await inventory_repo.count_low_stock(conn))
    await orders.refresh_gauges(conn)
    for status, count in (await replenishment.counts_by_status(conn)).items():
        metrics.REORDER_PROPOSALS.labels(status.value).set(count)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
