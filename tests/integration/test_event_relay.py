"""The outbox relay without Kafka: a job of the job queue that reads the log from its last published
position and feeds the in-process consumers; redeliveries are applied once; a transaction that commits
late is never skipped; lag and failures are metrics."""

from __future__ import annotations

import psycopg
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from psycopg.rows import dict_row

from db.pool import Conn, Pool
from events import repo as events_repo
from events.consumers import deliver
from events.envelope import Event
from events.projections import all_consumers
from events.relay import Relay
from tests.fix_app import Users
from tests.integration.test_event_log import place, stocked

pytestmark = pytest.mark.integration


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Recorder:
    destination = "recorder"

    def __init__(self) -> None:
        self.batches: list[list[Event]] = []

    async def publish(self, events: list[Event]) -> None:
        self.batches.append(events)


class Broken:
    destination = "broken"

    async def publish(self, events: list[Event]) -> None:
        raise ConnectionError("the broker is away")


async def paid_order(client: object, users: Users) -> int:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    headers = await users.customer()
    (watch,) = await stocked(client, 1)
    r = await place(client, headers, [{"reference": watch["reference"], "quantity": 1}])
    assert r.status_code == 201, r.text
    order_id = int(r.json()["id"])
    r = await client.post(f"/api/v1/orders/{order_id}/payment/simulate", json={"outcome": "succeeded"},
                          headers=headers)
    assert r.status_code == 200, r.text
    return order_id


async def test_the_relay_is_a_job_that_feeds_the_consumers(app: FastAPI, client: object, users: Users,
                                                           conn: Conn) -> None:
    from app.scheduler import build_scheduler
    from tests.fix_app import make_settings

    order_id = await paid_order(client, users)
    relayed_before = sample("events_relayed_total", destination="in_process")
    scheduler = build_scheduler(make_settings("unused", SEIKO_EVENTS_RELAY_SECONDS=1), app.state.pool)
    for _ in range(2):  # a second firing before the job ran queues nothing more
        await scheduler.get_job("outbox_relay").func()
    cur = await conn.execute("SELECT task_name, queue_name, queueing_lock, args FROM procrastinate_jobs")
    assert await cur.fetchall() == [{"task_name": "outbox_relay", "queue_name": "events",
                                     "queueing_lock": "schedule:outbox_relay", "args": {"linger_s": 1.0}}]
    assert await app.state.worker.run_once()
    cur = await conn.execute("SELECT status::text AS status FROM procrastinate_jobs")
    assert await cur.fetchall() == [{"status": "succeeded"}]

    cur = await conn.execute("SELECT status FROM read_orders WHERE order_id = %s", (order_id,))
    assert await cur.fetchone() == {"status": "paid"}
    cur = await conn.execute("SELECT kind FROM notices WHERE order_id = %s", (order_id,))
    assert await cur.fetchall() == [{"kind": "order_confirmation"}]
    # Everything committed was relayed (the seeded history's snapshots too); the lag gauges say so.
    cur = await conn.execute("SELECT count(*) AS n FROM events")
    total = (await cur.fetchone() or {})["n"]
    assert sample("events_relayed_total", destination="in_process") - relayed_before == total
    assert sample("events_relay_lag_events") == 0
    cur = await conn.execute("SELECT position FROM event_checkpoints WHERE name = 'relay'")
    assert await cur.fetchone() == {"position": total}


async def test_a_redelivered_batch_is_applied_once(app: FastAPI, client: object, users: Users, conn: Conn) -> None:
    order_id = await paid_order(client, users)
    events = await events_repo.for_aggregate(conn, aggregate_type="order", subject=str(order_id))
    consumers = all_consumers()
    for consumer in consumers:
        assert await deliver(conn, consumer, events) > 0
    snapshot = await conn.execute("SELECT count(*) AS n FROM notices")
    notices = await snapshot.fetchone()
    cur = await conn.execute("SELECT * FROM read_orders WHERE order_id = %s", (order_id,))
    first = await cur.fetchone()
    duplicates = sample("events_consumer_duplicates_total", consumer="notices")
    for consumer in consumers:
        assert await deliver(conn, consumer, events) == 0
    assert sample("events_consumer_duplicates_total", consumer="notices") == duplicates + 1
    cur = await conn.execute("SELECT * FROM read_orders WHERE order_id = %s", (order_id,))
    assert await cur.fetchone() == first
    assert await (await conn.execute("SELECT count(*) AS n FROM notices")).fetchone() == notices


async def test_a_failed_publish_moves_nothing_and_is_counted(pool: Pool, conn: Conn) -> None:
    failures = sample("events_relay_failures_total", reason="ConnectionError")
    relay = Relay(pool, Broken())
    with pytest.raises(ConnectionError):
        await relay.run_once()
    assert sample("events_relay_failures_total", reason="ConnectionError") == failures + 1
    assert await events_repo.checkpoint(conn, name="relay") == (0, 0)
    await relay.refresh_lag()
    cur = await conn.execute("SELECT count(*) AS n FROM events")
    assert sample("events_relay_lag_events") == (await cur.fetchone() or {})["n"] > 0


async def test_an_event_committed_late_is_not_skipped(pool: Pool, conn: Conn, db_url: str) -> None:
    recorder = Recorder()
    relay = Relay(pool, recorder)
    await relay.drain()  # the seeded history
    async with await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row) as slow:
        # The slow transaction takes the smaller position, then a quick one commits a larger one.
        await events_repo.append(slow, type_="stock.adjusted", aggregate_type="stock", subject=1, data={"n": 1})
        await events_repo.append(conn, type_="stock.adjusted", aggregate_type="stock", subject=2, data={"n": 2})
        recorder.batches.clear()
        assert await relay.run_once() == 0  # the quick one waits: publishing it now would skip the slow one
        await slow.commit()
    assert await relay.run_once() == 2
    (batch,) = recorder.batches
    assert [e.data["n"] for e in batch] == [1, 2]
    assert batch[0].position < batch[1].position
