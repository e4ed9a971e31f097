"""SQL for the event log and the checkpoints of its readers."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from db.pool import Conn
from events.envelope import SOURCE, Event

_EVENT = "position, tx_id::text::bigint AS tx_id, id, source, type, subject, aggregate_type, time, schema_version, data"
# Version of each event type's data; bump it with a new schema file when a shape changes.
SCHEMA_VERSIONS: dict[str, int] = {}
DEFAULT_VERSION = 1


def _json_default(value: object) -> str:
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _jsonable(data: dict[str, Any]) -> Any:
    # Money stays a decimal string and ids strings: never a float in an event.
    return json.loads(json.dumps(data, default=_json_default))


async def append(conn: Conn, *, type_: str, aggregate_type: str, subject: str | int, data: dict[str, Any]) -> None:
    """Append one event inside the caller's transaction; its time is the transaction's, like the
    `now()` of the change it records."""
    await conn.execute(
        """INSERT INTO events (id, source, type, subject, aggregate_type, schema_version, data)
           VALUES (%(id)s, %(src)s, %(t)s, %(s)s, %(a)s, %(v)s, %(d)s)""",
        {"id": uuid.uuid4(), "src": SOURCE, "t": type_, "s": str(subject), "a": aggregate_type,
         "v": SCHEMA_VERSIONS.get(type_, DEFAULT_VERSION), "d": Jsonb(_jsonable(data))},
    )


def _event(row: dict[str, Any]) -> Event:
    return Event(**row)


async def read_committed_after(conn: Conn, *, tx_id: int, position: int, limit: int) -> list[Event]:
    """Events after (tx_id, position) in stream order, only from transactions that have all ended:
    below the current snapshot's xmin nothing can still be appended."""
    cur = await conn.execute(
        f"""SELECT {_EVENT} FROM events
            WHERE (tx_id, position) > (%(tx)s::text::xid8, %(p)s)
              AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY tx_id, position LIMIT %(l)s""",  # noqa: S608
        {"tx": tx_id, "p": position, "l": limit},
    )
    return [_event(r) for r in await cur.fetchall()]


async def read_all(conn: Conn, *, after: tuple[int, int] = (0, 0), limit: int = 5000) -> list[Event]:
    """The whole log in stream order, a page at a time (replays and rebuilds)."""
    return await read_committed_after(conn, tx_id=after[0], position=after[1], limit=limit)


async def for_aggregate(conn: Conn, *, aggregate_type: str, subject: str) -> list[Event]:
    cur = await conn.execute(
        f"SELECT {_EVENT} FROM events WHERE aggregate_type = %(a)s AND subject = %(s)s ORDER BY position",  # noqa: S608
        {"a": aggregate_type, "s": subject},
    )
    return [_event(r) for r in await cur.fetchall()]


async def checkpoint(conn: Conn, *, name: str) -> tuple[int, int]:
    cur = await conn.execute(
        "SELECT tx_id::text::bigint AS tx_id, position FROM event_checkpoints WHERE name = %(n)s", {"n": name})
    row = await cur.fetchone()
    return (int(row["tx_id"]), int(row["position"])) if row else (0, 0)


async def advance(conn: Conn, *, name: str, tx_id: int, position: int) -> None:
    """Move a checkpoint forward, never back (two relays racing both publish; the later mark wins)."""
    await conn.execute(
        """INSERT INTO event_checkpoints (name, tx_id, position, updated_at)
           VALUES (%(n)s, %(tx)s::text::xid8, %(p)s, now())
           ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position, updated_at = now()
           WHERE (event_checkpoints.tx_id, event_checkpoints.position) < (excluded.tx_id, excluded.position)""",
        {"n": name, "tx": tx_id, "p": position},
    )


async def reset_checkpoint(conn: Conn, *, name: str) -> None:
    await conn.execute("DELETE FROM event_checkpoints WHERE name = %(n)s", {"n": name})


async def backlog(conn: Conn, *, name: str) -> dict[str, Any]:
    """Events appended after a reader's checkpoint: how many, and the oldest one's age in seconds."""
    cur = await conn.execute(
        """SELECT count(*) AS events,
                  coalesce(extract(epoch FROM now() - min(e.time)), 0)::float8 AS oldest_age_s
           FROM events e LEFT JOIN event_checkpoints c ON c.name = %(n)s
           WHERE (e.tx_id, e.position) > (coalesce(c.tx_id, '0'), coalesce(c.position, 0))""",
        {"n": name},
    )
    row = await cur.fetchone()
    assert row is not None
    return row


async def claim(conn: Conn, *, consumer: str, events: list[Event]) -> set[uuid.UUID]:
    """Claim events for a consumer; the ids it had not applied yet (the rest are redeliveries)."""
    if not events:
        return set()
    cur = await conn.execute(
        """INSERT INTO consumed_events (consumer, event_id, position)
           SELECT %(c)s, e.id, e.position FROM unnest(%(ids)s::uuid[], %(ps)s::bigint[]) AS e(id, position)
           ON CONFLICT DO NOTHING RETURNING event_id""",
        {"c": consumer, "ids": [e.id for e in events], "ps": [e.position for e in events]},
    )
    return {r["event_id"] for r in await cur.fetchall()}


async def forget_consumer(conn: Conn, *, consumer: str) -> None:
    await conn.execute("DELETE FROM consumed_events WHERE consumer = %(c)s", {"c": consumer})
