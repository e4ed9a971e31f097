"""Probes. (Metrics are served on their own port: api/metrics_endpoint.py.)"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import PoolDep, Public
from api.problems import problem

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
