"""Real PostgreSQL for the tests: TEST_DATABASE_URL, or an embedded server in a temporary folder.

A template database is migrated and seeded once per session; each test that needs a database
gets a fresh copy of it (CREATE DATABASE ... TEMPLATE), so tests never see each other's writes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import pytest_asyncio
from psycopg import sql
from psycopg.rows import dict_row

from commerce.forecasting.service import refresh_forecasts
from commerce.orders.backfill import import_untracked_orders
from db.embedded import EmbeddedPostgres
from db.migrate import migrate
from db.pool import Conn, Pool, open_pool
from db.seed.loader import seed_catalog
from events.feeds import daily_units
from rag.indexer import index_missing
from tests.fix_app import EMBEDDER, make_settings

TEMPLATE = "seiko_test_template"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A maintenance URL (database `postgres`) of the server the tests use."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    server = EmbeddedPostgres(Path(tmp_path_factory.mktemp("pg")) / "pgdata")
    yield server.start()
    server.stop()


def create_database(pg_url: str, name: str, template: str | None = None) -> str:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template)))
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(pg_url, name)


def drop_database(pg_url: str, name: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest_asyncio.fixture(scope="session")
async def template_db(pg_url: str) -> str:
    url = create_database(pg_url, TEMPLATE)
    migrate(url)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
        assert await seed_catalog(conn)
        policy = make_settings("postgresql://unused").reorder_policy  # the settings' defaults, as the app uses
        await import_untracked_orders(conn)  # as the server does at start: the seeded history in the log
        await refresh_forecasts(conn, fill_rates=policy.fill_rates, cover_days=policy.cover_days, sales=daily_units)
        await index_missing(conn, EMBEDDER)
    return TEMPLATE


@pytest.fixture
def fresh_db_name() -> str:
    return f"seiko_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def db_url(pg_url: str, template_db: str, fresh_db_name: str) -> Iterator[str]:
    """A private, migrated and seeded database for one test."""
    url = create_database(pg_url, fresh_db_name, template=template_db)
    yield url
    drop_database(pg_url, fresh_db_name)


@pytest.fixture
def empty_db_url(pg_url: str, fresh_db_name: str) -> Iterator[str]:
    """A private database with nothing in it (for migration tests)."""
    url = create_database(pg_url, fresh_db_name)
    yield url
    drop_database(pg_url, fresh_db_name)


@pytest_asyncio.fixture
async def conn(db_url: str) -> AsyncIterator[Conn]:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True, row_factory=dict_row) as c:
        yield c


@pytest_asyncio.fixture
async def pool(db_url: str) -> AsyncIterator[Pool]:
    """A small pool on the test's database, as agents borrow from (one short write at a time)."""
    opened = await open_pool(db_url, min_size=1, max_size=4, name="seiko-test")
    yield opened
    await opened.close()
