"""Queue depth and the age of the oldest job, per queue and status, as Prometheus gauges.

They are set from the database when the API's /metrics is scraped, like the proposal gauges: the queue
lives in PostgreSQL and is shared by every process, so one query at scrape time gives the truth, fresh,
once. Set on a timer inside each worker instead, N workers would export N stale copies of the same
series, and a queue with no worker running (the moment it matters most) would export none."""

from __future__ import annotations

from prometheus_client import Gauge

from db.pool import Conn
from jobs import repo
from jobs.kinds import QUEUES
from jobs.models import QueueStat

QUEUE_JOBS = Gauge("job_queue_jobs", "Jobs waiting (todo) or running (doing), per queue", ["queue", "status"])
QUEUE_OLDEST_AGE = Gauge("job_queue_oldest_age_seconds",
                         "Age of the oldest job waiting since it became due (todo) or running since it started "
                         "(doing), per queue; 0 when there is none", ["queue", "status"])
_STATUSES = ("todo", "doing")


async def refresh(conn: Conn) -> None:
    found: dict[tuple[str, str], QueueStat] = {(s.queue, s.status): s for s in await repo.queue_stats(conn)}
    for queue in sorted(set(QUEUES) | {q for q, _ in found}):
        for status in _STATUSES:
            stat = found.get((queue, status))
            QUEUE_JOBS.labels(queue, status).set(stat.jobs if stat else 0)
            QUEUE_OLDEST_AGE.labels(queue, status).set(stat.oldest_age_s if stat else 0.0)
