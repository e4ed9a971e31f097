"""Where eval cases run: a database of their own, never the live store.

The agents' writes (proposals, stock changes) land in the sandbox, and what they read there (stock,
today's proposals under the daily cap) is what the case set up, whatever the live store did today.
Decisions and their costs still go to the store's decision log: evals spend real tokens."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from commerce.forecasting.service import refresh_forecasts
from commerce.orders.backfill import import_untracked_orders
from commerce.replenishment.models import ReorderPolicy
from db.migrate import migrate
from db.pool import Pool, open_pool
from db.seed.loader import seed_catalog
from events.feeds import daily_units
from rag.embedder import Embedder
from rag.indexer import index_missing


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@asynccontextmanager
async def sandbox_database(store_url: str, *, policy: ReorderPolicy, embedder: Embedder | None
                           ) -> AsyncIterator[Pool]:
    """A fresh database beside the store's (same server), migrated and seeded from the repository's
    catalog, dropped afterwards. `embedder` indexes it for search (the shopper suite needs it)."""
    name = f"seiko_eval_{uuid.uuid4().hex[:12]}"
    async with await psycopg.AsyncConnection.connect(store_url, autocommit=True) as admin:
        await admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _with_database(store_url, name)
    try:
        await asyncio.to_thread(migrate, url)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
            await seed_catalog(conn)
            await import_untracked_orders(conn)
            await refresh_forecasts(conn, fill_rates=policy.fill_rates, cover_days=policy.cover_days,
                                    sales=daily_units)
            if embedder is not None:
                await index_missing(conn, embedder)
        pool = await open_pool(url, min_size=1, max_size=4, name="seiko-eval")
        try:
            yield pool
        finally:
            await pool.close()
    finally:
        async with await psycopg.AsyncConnection.connect(store_url, autocommit=True) as admin:
            await admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
