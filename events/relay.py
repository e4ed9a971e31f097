"""The outbox relay: reads the log from where it last published and hands each batch to a publisher
(Kafka, or the in-process consumers), then moves its checkpoint.

At-least-once: the checkpoint moves only after the publisher confirmed the whole batch, so a relay
killed mid-batch publishes that batch again and consumers skip what they already applied (by event
id). No connection is held while the publisher works: Kafka is a network peer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

import structlog

from db.pool import Conn, Pool
from events import metrics, repo
from events.consumers import Consumer, deliver
from events.envelope import Event

_log = structlog.get_logger(component="events.relay")
RELAY = "relay"


class Publisher(Protocol):
    destination: str

    async def publish(self, events: list[Event]) -> None:
        """Return once every event is delivered; raise when any was not (the batch is sent again)."""


class InProcessPublisher:
    """Without Kafka: the consumers of this process, each in a transaction of its own per batch."""

    destination = "in_process"

    def __init__(self, pool: Pool, consumers: Sequence[Consumer]) -> None:
        self.pool = pool
        self.consumers = list(consumers)

    async def publish(self, events: list[Event]) -> None:
        # Consumers are independent (each its own claims, tables and checkpoint): they apply a batch side by
        # side, each on a connection of its own; each still sees the batches one after the other, in order.
        async def one(consumer: Consumer) -> None:
            async with self.pool.connection() as conn:
                await deliver(conn, consumer, events)

        await asyncio.gather(*(one(c) for c in self.consumers))


class Relay:
    def __init__(self, pool: Pool, publisher: Publisher, *, batch: int = 500, name: str = RELAY) -> None:
        self.pool = pool
        self.publisher = publisher
        self.batch = batch
        self.name = name

    async def run_once(self) -> int:
        """Relay one batch; how many events it carried (0: nothing committed is waiting)."""
        async with self.pool.connection() as conn:
            tx_id, position = await repo.checkpoint(conn, name=self.name)
            events = await repo.read_committed_after(conn, tx_id=tx_id, position=position, limit=self.batch)
        if events:
            try:
                await self.publisher.publish(events)
            except Exception as exc:
                metrics.RELAY_FAILURES.labels(type(exc).__name__).inc()
                _log.warning("relay_publish_failed", destination=self.publisher.destination, error=str(exc))
                raise
            last = events[-1]
            async with self.pool.connection() as conn:
                await repo.advance(conn, name=self.name, tx_id=last.tx_id, position=last.position)
            metrics.RELAYED.labels(self.publisher.destination).inc(len(events))
        return len(events)

    async def drain(self, *, max_batches: int = 100) -> int:
        """Relay until nothing committed waits (or `max_batches`); then refresh the lag gauges."""
        relayed = 0
        for _ in range(max_batches):
            n = await self.run_once()
            relayed += n
            if n < self.batch:
                break
        await self.refresh_lag()
        return relayed

    async def follow(self, *, linger_s: float, idle_s: float = 0.1) -> int:
        """Drain, then keep relaying what is committed for `linger_s` seconds, polling every `idle_s`
        when nothing waits. The loop's own time, on the event loop's monotonic clock."""
        loop = asyncio.get_running_loop()
        until = loop.time() + linger_s
        relayed = await self.drain()
        while loop.time() < until:
            n = await self.drain()
            relayed += n
            if not n:
                await asyncio.sleep(idle_s)
        return relayed

    async def refresh_lag(self) -> None:
        async with self.pool.connection() as conn:
            await refresh_lag_gauges(conn, name=self.name)


async def refresh_lag_gauges(conn: Conn, *, name: str = RELAY) -> None:
    """What waits to be relayed, and for how long. Also refreshed with the business gauges, so a relay
    that cannot publish at all still shows its lag growing."""
    backlog = await repo.backlog(conn, name=name)
    metrics.RELAY_LAG_EVENTS.set(backlog["events"])
    metrics.RELAY_LAG_SECONDS.set(backlog["oldest_age_s"])
