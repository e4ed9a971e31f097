"""Reading the decision log: runs, their calls, and what they cost."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from common.errors import InvalidInput, NotFound
from db.pool import Conn
from decision_log import repo
from decision_log.models import (
    CallPublic,
    CostReport,
    CostRow,
    DecisionDetail,
    DecisionPage,
    DecisionPublic,
    FallbackCount,
)


class DecisionNotFound(NotFound):
    code = "decision_not_found"
    title = "Decision not found"


async def list_decisions(
    conn: Conn, *, agent: str | None = None, provider: str | None = None, outcome: str | None = None,
    trigger: str | None = None, since: datetime | None = None, limit: int = 50, offset: int = 0,
    until: datetime | None = None,
) -> DecisionPage:
    """Runs newest first; `since` is inclusive, `until` exclusive."""
    rows, total = await repo.list_decisions(conn, agent=agent, provider=provider, outcome=outcome, trigger=trigger,
                                            since=since, until=until, limit=limit, offset=offset)
    return DecisionPage(items=[DecisionPublic.model_validate(r) for r in rows], total=total, limit=limit,
                        offset=offset)


async def get_decision(conn: Conn, *, decision_id: uuid.UUID) -> DecisionDetail:
    row = await repo.get_decision(conn, decision_id=decision_id)
    if row is None:
        raise DecisionNotFound(f"No decision {decision_id}")
    calls = [CallPublic.model_validate(c) for c in await repo.calls_of(conn, decision_id=decision_id)]
    return DecisionDetail.model_validate({**row, "calls": calls})


async def trace_of(conn: Conn, *, decision_id: uuid.UUID | None) -> tuple[str, str] | None:
    """The (trace id, span id) of a run, when it was traced."""
    return await repo.trace_of(conn, decision_id=decision_id) if decision_id is not None else None


async def get_decisions(conn: Conn, *, ids: list[uuid.UUID]) -> dict[uuid.UUID, DecisionPublic]:
    """Several runs at once (e.g. the runs behind a page of proposals), by id; unknown ids are left out."""
    if not ids:
        return {}
    return {row["id"]: DecisionPublic.model_validate(row) for row in await repo.get_decisions(conn, ids=ids)}


async def spent_today(conn: Conn) -> Decimal:
    """USD spent on model calls since midnight UTC, by every agent."""
    return await repo.spent_today(conn)


async def fallback_counts(conn: Conn, *, days: int = 30) -> list[FallbackCount]:
    return [FallbackCount.model_validate(r) for r in await repo.fallback_counts(conn, days=days)]


def parse_dimensions(by: str) -> list[str]:
    dims = [d.strip() for d in by.split(",") if d.strip()]
    unknown = [d for d in dims if d not in repo.COST_DIMENSIONS]
    if not dims or unknown or len(set(dims)) != len(dims):
        raise InvalidInput(f"`by` takes a comma-separated subset of {', '.join(repo.COST_DIMENSIONS)}",
                           field="by", unknown=unknown)
    return dims


async def costs(conn: Conn, *, by: str = "model,day", days: int = 30) -> CostReport:
    dims = parse_dimensions(by)
    rows = await repo.costs(conn, by=dims, days=days)
    return CostReport(by=dims, days=days, rows=[CostRow.model_validate(r) for r in rows])
