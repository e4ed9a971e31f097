"""The async connection pool every repository borrows from."""

from __future__ import annotations

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

Conn = AsyncConnection[DictRow]
Pool = AsyncConnectionPool[Conn]


async def _configure(conn: Conn) -> None:
    # Statement timeout keeps one bad query from pinning a pooled connection forever.
    await conn.execute("SET statement_timeout = '15s'")


async def open_pool(url: str, *, min_size: int = 2, max_size: int = 10, wait_s: float = 30.0,
                    name: str = "seiko") -> Pool:
    """`wait_s` bounds how long a caller waits for a free connection before PoolTimeout."""
    pool: Pool = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        timeout=wait_s,
        # autocommit: single statements commit at once, and `conn.transaction()` opens a real
        # transaction (not a savepoint inside an implicit one that would hold locks until checkin).
        # connect_timeout: a vanished server is noticed in seconds rather than when TCP gives up.
        kwargs={"row_factory": dict_row, "autocommit": True, "connect_timeout": 2},
        connection_class=AsyncConnection,
        configure=_configure,
        # A connection that died with the server (or a restart of it) is replaced at checkout instead
        # of failing the request that borrowed it.
        check=AsyncConnectionPool.check_connection,
        open=False,
        name=name,
    )
    await pool.open(wait=True, timeout=30)
    return pool
