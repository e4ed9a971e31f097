"""SQL for the alert history (the job queue is `jobs/`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from db.pool import Conn


async def upsert_firing(conn: Conn, *, fingerprint: str, starts_at: datetime, alertname: str, labels: dict[str, str],
                        annotations: dict[str, str], acted_on: bool) -> bool:
    """Record a firing alert; True when this (fingerprint, start) is new."""
    cur = await conn.execute(
        """INSERT INTO alerts (fingerprint, starts_at, alertname, status, labels, annotations, acted_on)
           VALUES (%(f)s, %(s)s, %(n)s, 'firing', %(l)s, %(a)s, %(acted)s)
           ON CONFLICT (fingerprint, starts_at) DO UPDATE
               SET received_count = alerts.received_count + 1, last_received = now()
           RETURNING (xmax = 0) AS inserted""",
        {"f": fingerprint, "s": starts_at, "n": alertname, "l": json.dumps(labels), "a": json.dumps(annotations),
         "acted": acted_on},
    )
    row = await cur.fetchone()
    return bool(row and row["inserted"])


async def resolve(conn: Conn, *, fingerprint: str, starts_at: datetime, ends_at: datetime | None, alertname: str,
                  labels: dict[str, str], annotations: dict[str, str]) -> None:
    await conn.execute(
        """INSERT INTO alerts (fingerprint, starts_at, alertname, status, labels, annotations, acted_on, ends_at,
                               resolved_at)
           VALUES (%(f)s, %(s)s, %(n)s, 'resolved', %(l)s, %(a)s, FALSE, %(e)s, now())
           ON CONFLICT (fingerprint, starts_at) DO UPDATE
               SET status = 'resolved', ends_at = EXCLUDED.ends_at, resolved_at = coalesce(alerts.resolved_at, now()),
                   received_count = alerts.received_count + 1, last_received = now()""",
        {"f": fingerprint, "s": starts_at, "n": alertname, "l": json.dumps(labels), "a": json.dumps(annotations),
         "e": ends_at},
    )


async def list_alerts(conn: Conn, *, status: str | None, limit: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """SELECT id, fingerprint, starts_at, alertname, status, labels, annotations, acted_on, received_count,
                  first_received, last_received, resolved_at
           FROM alerts WHERE (%(s)s::text IS NULL OR status = %(s)s) ORDER BY last_received DESC LIMIT %(l)s""",
        {"s": status, "l": limit},
    )
    return await cur.fetchall()
