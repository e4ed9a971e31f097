"""Whether the database answers, as the process last saw it; and a cheap probe.

Requests that find the database gone mark it down, and while it is down they are answered at once
(503) instead of each waiting for a pool connection that cannot come. A watcher (app/db_watch.py)
probes it and marks it up again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg

# SQLSTATE classes that mean the server or the connection is gone, not that a query was wrong:
# 08 connection exception, 57P operator intervention (shutdown, crash, cannot connect now).
_GONE_SQLSTATE_PREFIXES = ("08", "57P")


class DatabaseUnavailable(Exception):
    """The database cannot be reached now; try again shortly."""


def means_database_gone(error: BaseException) -> bool:
    """True for errors that say the database went away (client-side connection failures carry no
    SQLSTATE); False for query-level ones such as a statement timeout."""
    if not isinstance(error, psycopg.OperationalError):
        return False
    state = error.sqlstate
    return state is None or state.startswith(_GONE_SQLSTATE_PREFIXES)


@dataclass
class DatabaseHealth:
    clock: Callable[[], float]
    up: bool = True
    down_since: float | None = None
    outages: int = 0

    def mark_down(self) -> None:
        if self.up:
            self.up, self.down_since, self.outages = False, self.clock(), self.outages + 1

    def mark_up(self) -> None:
        self.up, self.down_since = True, None


async def reachable(url: str, *, timeout_s: float) -> bool:
    """One fresh connection and `SELECT 1` within the timeout."""
    try:
        async with await psycopg.AsyncConnection.connect(url, connect_timeout=max(1, round(timeout_s)),
                                                         autocommit=True) as conn:
            await conn.execute("SELECT 1")
        return True
    except (psycopg.Error, OSError):
        return False
