"""The consumer interface, the same whether events come from the relay in-process or from Kafka.

A consumer applies a batch inside one transaction that also claims the batch's event ids for it
(`consumed_events`): a redelivered event is skipped, so at-least-once delivery never applies twice.
The same transaction moves the consumer's checkpoint (the furthest log position it applied)."""

from __future__ import annotations

from typing import Protocol

from db.pool import Conn
from events import metrics, repo
from events.envelope import Event


class Consumer(Protocol):
    name: str

    def handles(self, event_type: str) -> bool: ...

    async def apply(self, conn: Conn, events: list[Event]) -> None:
        """Apply new events (never seen by this consumer before), in order, inside the caller's transaction."""

    async def reset(self, conn: Conn) -> None:
        """Forget everything this consumer built (a rebuild starts from the beginning of the log)."""


async def deliver(conn: Conn, consumer: Consumer, events: list[Event]) -> int:
    """Give a consumer the events of a batch it handles, each at most once; how many it applied."""
    mine = [e for e in events if consumer.handles(e.type)]
    if not mine:
        return 0
    async with conn.transaction():
        fresh = await repo.claim(conn, consumer=consumer.name, events=mine)
        new = [e for e in mine if e.id in fresh]
        if new:
            await consumer.apply(conn, new)
            last = max(new, key=lambda e: (e.tx_id, e.position))
            await repo.advance(conn, name=consumer.name, tx_id=last.tx_id, position=last.position)
    metrics.CONSUMED.labels(consumer.name).inc(len(new))
    if len(mine) > len(new):
        metrics.DUPLICATES.labels(consumer.name).inc(len(mine) - len(new))
    return len(new)


async def rebuild(conn: Conn, consumer: Consumer, *, page: int = 5000) -> int:
    """Start a consumer over from the first event of the log, in one transaction (readers see the old
    read model until the new one is complete). Idempotent: a second rebuild gives the same tables."""
    applied = 0
    async with conn.transaction():
        await consumer.reset(conn)
        await repo.forget_consumer(conn, consumer=consumer.name)
        await repo.reset_checkpoint(conn, name=consumer.name)
        after = (0, 0)
        while batch := await repo.read_all(conn, after=after, limit=page):
            applied += await deliver(conn, consumer, batch)
            after = (batch[-1].tx_id, batch[-1].position)
    return applied


async def catch_up(conn: Conn, consumer: Consumer, *, page: int = 5000) -> int:
    """Apply what a consumer has not seen yet straight from the log, for a reader that needs its read
    model current now rather than after the relay's next pass. Safe beside the relay: events are
    claimed per consumer, so whichever delivers an event second skips it."""
    applied = 0
    after = await repo.checkpoint(conn, name=consumer.name)
    while batch := await repo.read_committed_after(conn, tx_id=after[0], position=after[1], limit=page):
        applied += await deliver(conn, consumer, batch)
        after = (batch[-1].tx_id, batch[-1].position)
    return applied
