"""What every `seiko` command shares: the console and running work against the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from rich.console import Console

from app.settings import get_settings

console = Console(stderr=True)


def with_database(work: Callable[[str], Awaitable[None]]) -> None:
    """Start the configured database (embedded unless DATABASE_URL is set), prepare it as the server
    does, run `work(url)`, and stop the database again."""
    from app.runtime import Database, prepare_database

    settings = get_settings()
    database = Database(settings)

    async def run(url: str) -> None:
        await prepare_database(url, settings)
        await work(url)

    try:
        asyncio.run(run(database.start()))
    finally:
        database.stop()


def with_connection(work: Callable[[Any], Awaitable[None]]) -> None:
    """Like with_database, with one autocommit connection for `work`."""
    import psycopg
    from psycopg.rows import dict_row

    async def run(url: str) -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
            await work(conn)

    with_database(run)
