"""The AI bulkhead: how many model-backed runs may be in flight at once in this process.

A run's model calls are sequential, so admitted runs bound concurrent model calls. Waiting on a
model costs a coroutine and no connection (see decision_log/recorder.py), so the limit can be far
above the database pool's size. Chats are admitted or refused at once (the API answers 503 with
Retry-After); background jobs wait their turn, bounded by the worker's own concurrency."""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType

from agent import metrics


class Admission:
    """One admitted run; release it exactly once (it is also an async context manager)."""

    def __init__(self, capacity: AiCapacity) -> None:
        self._capacity: AiCapacity | None = capacity

    def release(self) -> None:
        if self._capacity is not None:
            self._capacity._release()
            self._capacity = None

    async def __aenter__(self) -> Admission:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.release()


class AiCapacity:
    def __init__(self, max_in_flight: int) -> None:
        if max_in_flight < 1:
            raise ValueError("AI capacity must admit at least one run")
        self.max_in_flight = max_in_flight
        self._in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def try_admit(self) -> Admission | None:
        """A slot now, or None when every slot is taken or others already wait (the caller refuses)."""
        if self._in_flight >= self.max_in_flight or self._waiters:
            metrics.AI_REFUSED.inc()
            return None
        return self._counted()

    async def admit(self) -> Admission:
        """A slot, waiting in line for one to free up (background work, already bounded by its worker)."""
        while self._in_flight >= self.max_in_flight:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                self._waiters.remove(waiter)
                if waiter.done() and not waiter.cancelled():
                    self._wake_next()  # woken, then cancelled: hand the free slot on
                raise
            # Still queued until here, so try_admit cannot take the slot this waiter was woken for.
            self._waiters.remove(waiter)
        return self._counted()

    def _counted(self) -> Admission:
        self._in_flight += 1
        metrics.AI_IN_FLIGHT.set(self._in_flight)
        return Admission(self)

    def _release(self) -> None:
        self._in_flight -= 1
        metrics.AI_IN_FLIGHT.set(self._in_flight)
        self._wake_next()

    def _wake_next(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
                break
