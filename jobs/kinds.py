"""Every kind of job: its typed payload, the queue it waits in and how it is retried."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class JobKind(StrEnum):
    stock_agent = "stock_agent"
    notify_proposals = "notify_proposals"
    embedding_refresh = "embedding_refresh"
    order_expiry = "order_expiry"
    prune_jobs = "prune_jobs"
    forecast_refresh = "forecast_refresh"
    outbox_relay = "outbox_relay"


class JobPayload(BaseModel):
    """The arguments of one job, stored as the job's JSON arguments and validated again when it runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: ClassVar[JobKind]


class StockAgentRun(JobPayload):
    """One run of the stock agent, for an alert (its labels and annotations) or a sweep (no alert)."""

    kind: ClassVar[JobKind] = JobKind.stock_agent
    trigger: str
    alert: dict[str, Any] | None = None


class ProposalNotification(JobPayload):
    """Post the proposals a stock-agent decision made to the notification webhook."""

    kind: ClassVar[JobKind] = JobKind.notify_proposals
    decision_id: uuid.UUID


class EmbeddingRefresh(JobPayload):
    """Embed what is missing or stale in the search index."""

    kind: ClassVar[JobKind] = JobKind.embedding_refresh


class OrderExpiry(JobPayload):
    """Cancel orders left unpaid past the payment window, releasing their stock."""

    kind: ClassVar[JobKind] = JobKind.order_expiry


class PruneJobs(JobPayload):
    """Delete jobs (and their outcomes) finished more than `keep_hours` ago. The queue's own housekeeping:
    `JobQueue` handles it itself."""

    kind: ClassVar[JobKind] = JobKind.prune_jobs
    keep_hours: int = Field(ge=1)


class ForecastRefresh(JobPayload):
    """Refit demand forecasts and reorder points: every watch (`stale_only` False, the daily refit) or
    only those whose stock ran out or came back since their last fit; then measure the outcomes of
    proposals decided 90 days ago and re-judge each demand class's earned autonomy."""

    kind: ClassVar[JobKind] = JobKind.forecast_refresh
    stale_only: bool = False


class OutboxRelay(JobPayload):
    """Relay the event log from its last published position to Kafka or the in-process consumers, then
    keep relaying what arrives for `linger_s` seconds (so events wait well under a second, with one job
    per period rather than one per poll)."""

    kind: ClassVar[JobKind] = JobKind.outbox_relay
    linger_s: float = Field(0.0, ge=0, le=300)


@dataclass(frozen=True)
class KindSpec:
    payload: type[JobPayload]
    queue: str
    # Attempts in all (the first run included); the wait before retry n is backoff_s ** n seconds.
    max_attempts: int
    backoff_s: int


SPECS: dict[JobKind, KindSpec] = {
    # Model-bound and slow: its own queue, so its backlog shows apart from the quick housekeeping.
    JobKind.stock_agent: KindSpec(StockAgentRun, queue="agent", max_attempts=3, backoff_s=5),
    # A webhook target that is down for a minute still gets the message: 2, 4, 8, 16, 32 s.
    JobKind.notify_proposals: KindSpec(ProposalNotification, queue="notify", max_attempts=6, backoff_s=2),
    JobKind.embedding_refresh: KindSpec(EmbeddingRefresh, queue="maintenance", max_attempts=2, backoff_s=30),
    JobKind.order_expiry: KindSpec(OrderExpiry, queue="maintenance", max_attempts=2, backoff_s=5),
    JobKind.forecast_refresh: KindSpec(ForecastRefresh, queue="maintenance", max_attempts=2, backoff_s=30),
    JobKind.prune_jobs: KindSpec(PruneJobs, queue="maintenance", max_attempts=2, backoff_s=60),
    # Its own queue: a broker that is down backs up the events, never the housekeeping. The next period
    # queues it again anyway, so a failed pass is retried once, quickly.
    JobKind.outbox_relay: KindSpec(OutboxRelay, queue="events", max_attempts=2, backoff_s=1),
}
QUEUES = sorted({spec.queue for spec in SPECS.values()})
# Kinds that run every few seconds: their successes are logged at debug, so an idle store's log is
# not a line every five seconds. Failures are logged as any other.
ROUTINE = frozenset({JobKind.outbox_relay})
