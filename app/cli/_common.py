"""What every `seiko` command shares: the console and running work against the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import typer
from rich.console import Console

from app.settings import get_settings
from common.errors import DomainError

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
    except DomainError as exc:  # bad input or a missing thing: one line, not a traceback
        fail(exc.detail)
    finally:
        database.stop()


def fail(message: str) -> NoReturn:
    """Print `error: message` on stderr and exit with status 1."""
    console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def with_connection(work: Callable[[Any], Awaitable[None]]) -> None:
    """Like with_database, with one autocommit connection for `work`."""
    import psycopg
    from psycopg.rows import dict_row

    async def run(url: str) -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
            await work(conn)

    with_database(run)
