"""The low-stock drill: a synthetic WatchesLowStock alert taken in exactly as Alertmanager's would be.

`seiko drill low-stock` sends it through the webhook of a running store; the ops console starts it
here, in-process, with the caller's session instead of the webhook token. Either way the alert is in
the history and the same stock-agent job is queued; runs started here carry the trigger `drill`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from alerts.intake import take_firing
from alerts.models import AgentJob, AmAlert, DrillReceipt
from common.errors import NotFound
from db.pool import Conn
from jobs import repo as jobs_repo

DRILL_TRIGGER = "drill"


class JobNotFound(NotFound):
    code = "job_not_found"
    title = "Agent job not found"


def drill_alert(*, requested_by: str, now: datetime | None = None) -> AmAlert:
    return AmAlert(
        status="firing", fingerprint=f"drill{uuid.uuid4().hex[:12]}", startsAt=now or datetime.now(UTC),
        labels={"alertname": "WatchesLowStock", "alert_type": "stock", "severity": "warning", "source": "drill"},
        annotations={"summary": "Drill: watches at or below their reorder point", "requested_by": requested_by},
    )


async def start_low_stock_drill(conn: Conn, *, requested_by: str) -> DrillReceipt:
    alert = drill_alert(requested_by=requested_by)
    async with conn.transaction():
        job_id = await take_firing(conn, alert, trigger=DRILL_TRIGGER)
    assert job_id is not None, "a fresh fingerprint is always new"
    return DrillReceipt(fingerprint=alert.fingerprint, trigger=DRILL_TRIGGER, job=await get_job(conn, job_id=job_id))


async def get_job(conn: Conn, *, job_id: int) -> AgentJob:
    record = await jobs_repo.get_job(conn, job_id=job_id)
    if record is None:
        raise JobNotFound(f"No agent job {job_id}")
    return AgentJob.model_validate(record.as_dict())
