"""How agent runs write to the decision log: each write borrows a pooled connection for one short
statement and gives it back at once. A run waiting on a model holds no connection, so slow models
cost coroutines, never the store's connections."""

from __future__ import annotations

import uuid
from decimal import Decimal

from db.pool import Pool
from decision_log import repo
from decision_log.records import CallRecord, DecisionEnd, DecisionStart, Skipped


class DecisionRecorder:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def start(self, start: DecisionStart) -> None:
        async with self.pool.connection() as conn:
            await repo.start_decision(conn, start)

    async def call(self, record: CallRecord) -> None:
        """Written as the call ends, so the spend it adds counts at once for every worker's budget check."""
        async with self.pool.connection() as conn:
            await repo.record_call(conn, record)

    async def finish(self, end: DecisionEnd) -> None:
        async with self.pool.connection() as conn:
            await repo.finish_decision(conn, end)

    async def skipped(self, decision_id: uuid.UUID, skipped: list[Skipped]) -> None:
        """What the run did not do, and why; written after its end by the agent that knows the domain."""
        async with self.pool.connection() as conn:
            await repo.record_skipped(conn, decision_id=decision_id, skipped=skipped)

    async def spent_today(self, *, agent: str | None) -> Decimal:
        async with self.pool.connection() as conn:
            return await repo.spent_today(conn, agent=agent)
