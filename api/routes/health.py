"""Probes. (Metrics are served on their own port: api/metrics_endpoint.py.)"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import PoolDep, Public
from api.problems import problem
from db.health import DatabaseHealth

router = APIRouter(tags=["health"], dependencies=[Public])


@router.get("/health", summary="The process is alive; and whether it can reach its database")
async def health(request: Request) -> dict[str, str]:
    """Always 200 while the process runs (a liveness probe must not restart the app for a database
    outage); `database` says `up` or `down` as the app last saw it, without a query."""
    db: DatabaseHealth = request.app.state.db_health
    return {"status": "ok", "database": "up" if db.up else "down"}


@router.get("/ready", summary="The database answers", responses={503: {"description": "Database unreachable"}})
async def ready(pool: PoolDep) -> Response:
    try:
        async with pool.connection(timeout=2) as conn:
            await conn.execute("SELECT 1")
    except Exception:
        return problem(503, code="database_unavailable", detail="The database is not reachable",
                       headers={"Retry-After": "2"})
    return Response('{"status":"ready"}', media_type="application/json")
