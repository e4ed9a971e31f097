"""What handlers return or raise, and the typed records read back from the queue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from jobs.kinds import JobPayload

JobStatus = Literal["queued", "running", "done", "failed"]


@dataclass(frozen=True)
class JobOutcome:
    """A handler's result: the decision it made (if any) and jobs to queue once it is recorded, in the
    same transaction, so a follow-up is never queued for an outcome that was not kept."""

    decision_id: uuid.UUID | None = None
    follow_up: tuple[JobPayload, ...] = field(default_factory=tuple)


class PermanentJobError(Exception):
    """A failure that another attempt would repeat (the job ran, and its result was a failure): the job
    fails at once, with its decision id kept."""

    def __init__(self, message: str, *, decision_id: uuid.UUID | None = None) -> None:
        super().__init__(message)
        self.decision_id = decision_id


@dataclass(frozen=True)
class JobRecord:
    """One job as ops see it; `status` folds the queue's seven states into the four the API has always had
    (a job waiting for its retry is queued again; cancelled and aborted ones failed)."""

    id: int
    kind: str
    queue: str
    trigger: str
    status: JobStatus
    attempts: int
    decision_id: uuid.UUID | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    scheduled_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class QueueStat:
    """Jobs waiting (`todo`) or running (`doing`) in one queue, and how long the oldest has been so."""

    queue: str
    status: Literal["todo", "doing"]
    jobs: int
    oldest_age_s: float
