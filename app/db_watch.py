"""Watches the database while the app serves: marks it down and up, and in the embedded set-up
restarts a PostgreSQL that died (with backoff), so the store serves again without a restart."""

from __future__ import annotations

import asyncio
from typing import Protocol

import structlog

from db.health import DatabaseHealth, reachable
from db.pool import Pool

_log = structlog.get_logger(component="app.db_watch")


class Supervised(Protocol):
    @property
    def is_embedded(self) -> bool: ...

    def postmaster_alive(self) -> bool: ...

    def restart(self) -> str: ...


async def watch_database(database: Supervised, pool: Pool, health: DatabaseHealth, url: str, *,
                         every_s: float = 0.5, max_backoff_s: float = 30.0) -> None:
    backoff = every_s
    while True:
        await asyncio.sleep(backoff if not health.up else every_s)
        if database.is_embedded and not await asyncio.to_thread(database.postmaster_alive):
            health.mark_down()
            _log.warning("embedded_postgres_died_restarting", backoff_s=backoff)
            try:
                restarted = await asyncio.to_thread(database.restart)
            except Exception:
                _log.exception("embedded_postgres_restart_failed")
                backoff = min(backoff * 2, max_backoff_s)
                continue
            if restarted != url:
                pool.conninfo = restarted  # new connections go where the server now listens
            url = restarted
            _log.info("embedded_postgres_restarted")
        if not health.up:
            if await reachable(url, timeout_s=1.0):
                await pool.check()  # drop the connections that died with the old server
                health.mark_up()
                backoff = every_s
                _log.info("database_back")
            else:
                backoff = min(backoff * 2, max_backoff_s)
