"""Alertmanager's webhook payload (version 4) and the alert history the API shows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AmAlert(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: Literal["firing", "resolved"]
    labels: dict[str, str] = Field(default_factory=dict, max_length=100)
    annotations: dict[str, str] = Field(default_factory=dict, max_length=100)
    startsAt: datetime  # noqa: N815 - Alertmanager's field names
    endsAt: datetime | None = None  # noqa: N815
    generatorURL: str = ""  # noqa: N815
    fingerprint: str = Field(min_length=1, max_length=64)


class AmPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"example": {
        "version": "4", "groupKey": "{}:{alertname=\"WatchesLowStock\"}", "truncatedAlerts": 0, "status": "firing",
        "receiver": "seiko-stock-agent", "groupLabels": {"alertname": "WatchesLowStock"},
        "commonLabels": {"alertname": "WatchesLowStock"}, "commonAnnotations": {}, "externalURL": "",
        "alerts": [{"status": "firing", "labels": {"alertname": "WatchesLowStock", "alert_type": "stock"},
                    "annotations": {"summary": "2 watches at or below their reorder point"},
                    "startsAt": "2026-11-25T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "", "fingerprint": "a1b2c3d4e5f6"}]}})

    version: Literal["4"]
    groupKey: str = ""  # noqa: N815
    truncatedAlerts: int = Field(0, ge=0)  # noqa: N815
    status: Literal["firing", "resolved"]
    receiver: str = ""
    alerts: list[AmAlert] = Field(max_length=1000)


class IntakeReceipt(BaseModel):
    received: int
    queued: int
    resolved: int
    ignored: int
    truncated: int


class AlertRecord(BaseModel):
    id: int
    fingerprint: str
    starts_at: datetime
    alertname: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    acted_on: bool
    received_count: int
    first_received: datetime
    last_received: datetime
    resolved_at: datetime | None


class AlertList(BaseModel):
    items: list[AlertRecord]


class AgentJob(BaseModel):
    """A queued job (a stock-agent run, for the drill) and, once it ran, the decision it made. A failed
    attempt waiting for its retry is `queued` again, with `error` saying why and `scheduled_at` when."""

    id: int
    kind: str
    trigger: str
    status: Literal["queued", "running", "done", "failed"]
    attempts: int
    decision_id: uuid.UUID | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    scheduled_at: datetime | None = None


class DrillReceipt(BaseModel):
    """What a low-stock drill queued: its synthetic alert and the stock-agent job to follow."""

    fingerprint: str
    trigger: str
    job: AgentJob
