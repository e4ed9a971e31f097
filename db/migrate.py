"""Apply the job queue's schema (`db.queue_schema`), then the numbered, append-only SQL migrations in
`db/migrations` with yoyo.

Safe when several processes start at once: the whole run holds a PostgreSQL advisory lock, so a
second process waits for the first and then finds nothing left to apply.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from yoyo import get_backend, read_migrations

from db.queue_schema import apply_queue_schema

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_ADVISORY_LOCK_KEY = 0x5E1C0_0001  # any constant shared by every process of this app


def _yoyo_uri(url: str) -> str:
    scheme, _, rest = url.partition("://")
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


def migrate(url: str) -> list[str]:
    """Apply pending migrations; return the ids applied by this call."""
    with psycopg.connect(url, autocommit=True) as lock_conn:
        lock_conn.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK_KEY,))
        try:
            # The job queue's tables first: our migrations may move work into the queue.
            apply_queue_schema(lock_conn)
            backend = get_backend(_yoyo_uri(url))
            migrations = read_migrations(str(MIGRATIONS_DIR))
            with backend.lock():
                pending = backend.to_apply(migrations)
                backend.apply_migrations(pending)
            return [m.id for m in pending]
        finally:
            lock_conn.execute("SELECT pg_advisory_unlock(%s)", (_ADVISORY_LOCK_KEY,))
