"""A circuit breaker per provider: after repeated failures stop calling it for a while, then let
one probe through (half-open); a success closes it again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half_open"


@dataclass
class CircuitBreaker:
    failure_threshold: int = 3
    reset_after_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    _probing: bool = field(default=False, repr=False)

    @property
    def state(self) -> State:
        if self.opened_at is None:
            return State.closed
        if self.clock() - self.opened_at >= self.reset_after_s:
            return State.half_open
        return State.open

    def allow(self) -> bool:
        """Whether a call may go through now. In half-open, only one probe at a time."""
        state = self.state
        if state is State.closed:
            return True
        if state is State.half_open and not self._probing:
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        self.failures, self.opened_at, self._probing = 0, None, False

    def record_failure(self) -> None:
        self._probing = False
        self.failures += 1
        if self.failures >= self.failure_threshold or self.opened_at is not None:
            self.opened_at = self.clock()  # (re)open: a failed probe starts a new wait
