"""SQL for prompt versions and their labels (tables from migration 0006_llm_ops)."""

from __future__ import annotations

from typing import Any

from db.pool import Conn

# pg_advisory_xact_lock(int4, int4): this class id, and hashtext(name), so that writers of one
# prompt queue behind each other while different prompts proceed in parallel.
_LOCK_CLASS = 0x5E1C0
_COLUMNS = "v.name, v.version, v.content_hash, v.template, v.source, v.created_at"


async def lock_name(conn: Conn, *, name: str) -> None:
    """Serialise version writers of `name` until the current transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(%(c)s, hashtext(%(n)s))", {"c": _LOCK_CLASS, "n": name})


async def find_by_hash(conn: Conn, *, name: str, content_hash: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM prompt_versions v WHERE v.name = %(n)s AND v.content_hash = %(h)s",  # noqa: S608
        {"n": name, "h": content_hash},
    )
    return await cur.fetchone()


async def insert_next(
    conn: Conn, *, name: str, content_hash: str, template: str, source: str
) -> dict[str, Any] | None:
    """Insert as max(version)+1; None when a row with that hash (or version) already exists.

    Callers hold `lock_name`, so the conflict clause is only a backstop for writers that do not."""
    cur = await conn.execute(
        """INSERT INTO prompt_versions AS v (name, version, content_hash, template, source)
           SELECT %(n)s, coalesce(max(version), 0) + 1, %(h)s, %(t)s, %(s)s
           FROM prompt_versions WHERE name = %(n)s
           ON CONFLICT DO NOTHING
           RETURNING v.name, v.version, v.content_hash, v.template, v.source, v.created_at""",
        {"n": name, "h": content_hash, "t": template, "s": source},
    )
    return await cur.fetchone()


async def get_version(conn: Conn, *, name: str, version: int) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM prompt_versions v WHERE v.name = %(n)s AND v.version = %(v)s",  # noqa: S608
        {"n": name, "v": version},
    )
    return await cur.fetchone()


async def get_by_label(conn: Conn, *, name: str, label: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"""SELECT {_COLUMNS} FROM prompt_labels l
            JOIN prompt_versions v ON v.name = l.name AND v.version = l.version
            WHERE l.name = %(n)s AND l.label = %(l)s""",  # noqa: S608
        {"n": name, "l": label},
    )
    return await cur.fetchone()


async def name_exists(conn: Conn, *, name: str) -> bool:
    cur = await conn.execute("SELECT EXISTS (SELECT 1 FROM prompt_versions WHERE name = %(n)s) AS e", {"n": name})
    row = await cur.fetchone()
    return bool(row and row["e"])


async def move_label(conn: Conn, *, name: str, label: str, version: int) -> None:
    await conn.execute(
        """INSERT INTO prompt_labels (name, label, version) VALUES (%(n)s, %(l)s, %(v)s)
           ON CONFLICT (name, label) DO UPDATE SET version = EXCLUDED.version, moved_at = now()
           WHERE prompt_labels.version IS DISTINCT FROM EXCLUDED.version""",
        {"n": name, "l": label, "v": version},
    )


async def add_label_if_absent(conn: Conn, *, name: str, label: str, version: int) -> None:
    await conn.execute(
        "INSERT INTO prompt_labels (name, label, version) VALUES (%(n)s, %(l)s, %(v)s) ON CONFLICT DO NOTHING",
        {"n": name, "l": label, "v": version},
    )


async def all_versions(conn: Conn) -> list[dict[str, Any]]:
    cur = await conn.execute(
        "SELECT name, version, content_hash, source, created_at FROM prompt_versions ORDER BY name, version"
    )
    return await cur.fetchall()


async def all_labels(conn: Conn) -> list[dict[str, Any]]:
    cur = await conn.execute("SELECT name, label, version FROM prompt_labels ORDER BY name, label")
    return await cur.fetchall()
