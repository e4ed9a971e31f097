"""Alertmanager webhook intake: store every alert, queue one stock-agent job per alert fingerprint and
start, acknowledge at once. Re-sends, repeat intervals and duplicates from an Alertmanager cluster find
their (fingerprint, start) already known and queue nothing.

The alert row and its job are written in one transaction: the job is deferred on the intake's own
connection (procrastinate's `connection=`), so a crash between the two can lose neither nor leave one
without the other. Concurrent deliveries of one alert serialise on the alerts table's unique key; the
job's queueing lock (fingerprint and start) is the queue's own second guard against a twin."""

from __future__ import annotations

import hmac

import structlog

from alerts import repo
from alerts.models import AmAlert, AmPayload, IntakeReceipt
from common.errors import Unauthorized
from db.pool import Conn
from jobs.kinds import StockAgentRun
from jobs.queue import defer

_log = structlog.get_logger(component="alerts.intake")
STOCK_ALERTS = frozenset({"WatchesLowStock"})


def check_token(presented: str | None, expected: str | None) -> None:
    """Bearer token, compared in constant time; with no token configured nothing is accepted."""
    if not expected or presented is None or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Unauthorized("A valid Alertmanager bearer token is required")


def acts_on(alert: AmAlert) -> bool:
    return alert.labels.get("alertname") in STOCK_ALERTS or alert.labels.get("alert_type") == "stock"


async def take_firing(conn: Conn, alert: AmAlert, *, trigger: str | None = None) -> int | None:
    """Record a firing alert and, when it is new and one the stock agent acts on, queue one agent run
    for it (`trigger` defaults to `alert:<fingerprint>`). The queued job's id, or None. Call it inside a
    transaction: the alert and its job commit together."""
    name = alert.labels.get("alertname", "unknown")
    new = await repo.upsert_firing(conn, fingerprint=alert.fingerprint, starts_at=alert.startsAt, alertname=name,
                                   labels=alert.labels, annotations=alert.annotations, acted_on=acts_on(alert))
    if not new or not acts_on(alert):
        return None
    run = StockAgentRun(
        trigger=trigger or f"alert:{alert.fingerprint}",
        alert={"fingerprint": alert.fingerprint, "alertname": name, "labels": alert.labels,
               "annotations": alert.annotations, "starts_at": alert.startsAt.isoformat()},
    )
    return await defer(conn, run, queueing_lock=f"alert:{alert.fingerprint}:{alert.startsAt.isoformat()}")


async def receive(conn: Conn, payload: AmPayload) -> IntakeReceipt:
    queued = resolved = ignored = 0
    async with conn.transaction():
        for alert in payload.alerts:
            if alert.status == "resolved":
                await repo.resolve(conn, fingerprint=alert.fingerprint, starts_at=alert.startsAt,
                                   ends_at=alert.endsAt, alertname=alert.labels.get("alertname", "unknown"),
                                   labels=alert.labels, annotations=alert.annotations)
                resolved += 1
                continue
            job_id = await take_firing(conn, alert)
            if not acts_on(alert):
                ignored += 1
            elif job_id is not None:
                queued += 1
    if payload.truncatedAlerts:
        # Alertmanager dropped alerts from this group; the agent lists every low-stock watch itself,
        # so one run still covers them.
        _log.warning("alerts_truncated", truncated=payload.truncatedAlerts, group=payload.groupKey)
    return IntakeReceipt(received=len(payload.alerts), queued=queued, resolved=resolved, ignored=ignored,
                         truncated=payload.truncatedAlerts)
