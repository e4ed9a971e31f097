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


def test_upgrading_moves_unfinished_agent_jobs_into_the_queue(empty_db_url: str) -> None:
    from yoyo import get_backend, read_migrations

    from db.migrate import _yoyo_uri

    backend = get_backend(_yoyo_uri(empty_db_url))
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with backend.lock():  # the database as the previous release left it: no job queue tables
        backend.apply_migrations(migrations.filter(lambda m: m.id <= "0010_job_leases"))
    with psycopg.connect(empty_db_url) as conn:
        conn.execute("""INSERT INTO agent_jobs (kind, dedupe_key, trigger, payload, status) VALUES
                        ('stock_agent', 'alert:fp1:2026-11-25T09:00:00+00:00', 'alert:fp1', '{"fingerprint": "fp1"}',
                         'queued'),
                        ('stock_agent', 'schedule:42', 'schedule', '{}', 'running'),
                        ('stock_agent', 'alert:fp0:2026-11-24T09:00:00+00:00', 'alert:fp0', '{}', 'done')""")
    assert migrate(empty_db_url)[:3] == ["0011_decision_fallbacks", "0012_decision_skipped", "0013_job_queue"]
    with psycopg.connect(empty_db_url) as conn:
        rows = conn.execute("SELECT task_name, queue_name, status::text, queueing_lock, args FROM procrastinate_jobs "
                            "ORDER BY id").fetchall()
        assert conn.execute("SELECT to_regclass('agent_jobs')").fetchone() == (None,)
    assert rows == [
        ("stock_agent", "agent", "todo", "alert:fp1:2026-11-25T09:00:00+00:00",
         {"trigger": "alert:fp1", "alert": {"fingerprint": "fp1"}}),
        ("stock_agent", "agent", "todo", "schedule:42", {"trigger": "schedule", "alert": None}),
    ]
