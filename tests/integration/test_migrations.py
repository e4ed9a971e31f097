"""Migrations are idempotent and safe when two processes start at once."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from db.migrate import MIGRATIONS_DIR, migrate

pytestmark = pytest.mark.integration

ALL = sorted(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))


def applied(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT migration_id FROM _yoyo_migration ORDER BY migration_id")]


def test_migrate_twice_in_a_row(empty_db_url: str) -> None:
    assert migrate(empty_db_url) == ALL
    assert migrate(empty_db_url) == []
    assert applied(empty_db_url) == ALL
    with psycopg.connect(empty_db_url) as conn:
        extensions = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
    assert {"vector", "pg_trgm"} <= extensions


def test_two_processes_migrate_at_once(empty_db_url: str) -> None:
    code = "import sys; from db.migrate import migrate; print(len(migrate(sys.argv[1])))"
    procs = [subprocess.Popen([sys.executable, "-c", code, empty_db_url], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(outputs) == ["0", str(len(ALL))]
    assert applied(empty_db_url) == ALL
