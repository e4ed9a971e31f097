"""The one clock of the AI parts: monotonic seconds, injected wherever time is measured or compared.

Deadlines, latencies, breaker waits and cache ages all read the same clock, so a test's fake clock
is never compared with the machine's real one (a freshly booted machine has a small monotonic time)."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
system_clock: Clock = time.monotonic
