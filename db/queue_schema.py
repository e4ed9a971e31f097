"""The job queue's tables: procrastinate's own schema, applied and upgraded by `db.migrate`.

procrastinate ships a full schema (for a fresh database) and one SQL file per schema change (for
upgrades) inside its wheel; we never copy them. A fresh database gets the full schema and every
migration file it already contains is recorded as applied; after a procrastinate upgrade the files
not yet recorded are applied in order, in the same run that applies our own numbered migrations."""

from __future__ import annotations

from pathlib import Path

import psycopg
from procrastinate.schema import SchemaManager

# Created here, not in db/migrations: it must exist before the queue's tables, which come before ours.
_LEDGER = """CREATE TABLE IF NOT EXISTS job_queue_schema (
    migration   TEXT PRIMARY KEY,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
)"""


def _shipped_migrations() -> list[Path]:
    # Named "<major>.<minor>.<patch>_<nn>_<what>.sql": the names sort in the order they apply.
    return sorted(Path(SchemaManager.get_migrations_path()).glob("*.sql"))


def apply_queue_schema(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    """Create or upgrade procrastinate's tables in one transaction; the migration files applied now
    (all of them, recorded only, on a fresh database)."""
    shipped = _shipped_migrations()
    with conn.transaction():
        conn.execute(_LEDGER)
        installed = conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()
        done = {r[0] for r in conn.execute("SELECT migration FROM job_queue_schema")}
        if not (installed and installed[0]) or not done:
            if not (installed and installed[0]):
                # No parameters are passed, so the '%' characters in the schema are not placeholders.
                conn.execute(SchemaManager.get_schema())
            # The full schema already contains every change its own release ships.
            conn.execute("INSERT INTO job_queue_schema (migration) SELECT unnest(%s::text[])",
                         ([p.name for p in shipped],))
            return [p.name for p in shipped]
        pending = [p for p in shipped if p.name not in done]
        for path in pending:
            conn.execute(path.read_text(encoding="utf-8"))
            conn.execute("INSERT INTO job_queue_schema (migration) VALUES (%s)", (path.name,))
        return [p.name for p in pending]
