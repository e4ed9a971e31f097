"""The relay and the consumers against a real Kafka-protocol broker (Tansu): CloudEvents on the three
topics keyed by aggregate id, the same read models as in-process, and crash tests: a relay process
killed mid-batch, a consumer that dies before committing, a broker killed and restarted. Nothing is
lost and nothing is applied twice."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Consumer as RawConsumer
from fastapi import FastAPI

from db.pool import Conn, Pool
from events import schemas
from events.kafka import KafkaConsumerLoop, KafkaPublisher, PublishFailed, ensure_topics
from events.projections import all_consumers
from events.relay import Relay
from tests.fix_app import Users
from tests.fix_kafka import CONSUMER_CONFIG, PRODUCER_CONFIG, Tansu
from tests.integration.test_event_replay import LIVE_ORDERS, READ_ORDERS, Workload, rows

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def consumer_loop(kafka: Tansu, pool: Pool, group: str | None = None) -> KafkaConsumerLoop:
    return KafkaConsumerLoop(kafka.bootstrap, pool, all_consumers(), group_id=group or f"test-{uuid.uuid4().hex}",
                             extra=CONSUMER_CONFIG)


async def event_count(conn: Conn) -> int:
    cur = await conn.execute("SELECT count(*) AS n FROM events")
    return int((await cur.fetchone() or {})["n"])


async def applied_by(conn: Conn, consumer: str) -> int:
    cur = await conn.execute("SELECT count(*) AS n FROM consumed_events WHERE consumer = %s", (consumer,))
    return int((await cur.fetchone() or {})["n"])


async def order_events(conn: Conn) -> int:
    cur = await conn.execute("SELECT count(*) AS n FROM events WHERE type IN ('order.placed', 'order.imported', "
                             "'order.paid', 'order.shipped', 'order.delivered', 'order.cancelled', 'order.refunded')")
    return int((await cur.fetchone() or {})["n"])


async def consume_until_caught_up(loop: KafkaConsumerLoop, conn: Conn, *, polls: int = 300) -> None:
    """Poll until the order-history consumer has applied every order event of the log (a bound on polls,
    not a timing: a join takes about a second with the test settings)."""
    wanted = await order_events(conn)
    for _ in range(polls):
        await loop.run_once()
        if await applied_by(conn, "order_history") == wanted:
            return
    raise AssertionError(f"applied {await applied_by(conn, 'order_history')} of {wanted} order events")


async def workload(app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn, *, seed: int, steps: int,
                   work: Workload | None = None) -> Workload:
    import random

    if work is None:
        work = Workload(client, conn, random.Random(seed))
        await work.setup(users)
    for _ in range(steps):
        await work.step()
    return work


def raw_messages(kafka: Tansu, topics: list[str], expected: int) -> list[Any]:
    raw = RawConsumer({"bootstrap.servers": kafka.bootstrap, "group.id": f"raw-{uuid.uuid4().hex}",
                       "auto.offset.reset": "earliest", **CONSUMER_CONFIG})
    raw.subscribe(topics)
    found: list[Any] = []
    try:
        for _ in range(300):
            found += [m for m in raw.consume(500, 0.2) if m.error() is None]
            if len(found) >= expected:
                break
    finally:
        raw.close()
    return found


async def test_events_are_cloudevents_on_their_topics_keyed_by_aggregate(
    app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn, kafka: Tansu
) -> None:
    await workload(app, client, users, conn, seed=11, steps=30)
    ensure_topics(kafka.bootstrap)
    publisher = KafkaPublisher(kafka.bootstrap, extra=PRODUCER_CONFIG)
    total = await Relay(app.state.pool, publisher).drain()
    assert total == await event_count(conn)
    messages = raw_messages(kafka, ["seiko.orders", "seiko.inventory", "seiko.reorders"], total)
    assert len(messages) == total
    by_key: dict[tuple[str, bytes], list[int]] = defaultdict(list)
    for message in messages:
        envelope = json.loads(message.value())
        assert schemas.errors(envelope) == []
        assert message.key() == envelope["subject"].encode()
        assert message.topic() == {"order": "seiko.orders", "stock": "seiko.inventory",
                                   "reorder": "seiko.reorders"}[envelope["aggregatetype"]]
        assert dict(message.headers() or [])["content-type"] == b"application/cloudevents+json"
        by_key[(message.topic(), message.key())].append(envelope["seikoposition"])
    # One aggregate's events share a partition and arrive in the order they were appended.
    for positions in by_key.values():
        assert positions == sorted(positions)
    assert {t for t, _ in by_key} >= {"seiko.orders", "seiko.inventory"}


RELAY_THAT_DIES = """
import asyncio, os, signal, sys
from db.pool import open_pool
from events.kafka import KafkaPublisher
from events.relay import Relay

class DiesMidBatch(KafkaPublisher):
    async def publish(self, events):
        await super().publish(events[: len(events) // 2])  # half the batch is in Kafka...
        os.kill(os.getpid(), signal.SIGKILL)  # ...and the process dies before its checkpoint moves

async def main():
    pool = await open_pool(sys.argv[1], min_size=1, max_size=2)
    await Relay(pool, DiesMidBatch(sys.argv[2]), batch=int(sys.argv[3])).run_once()

asyncio.run(main())
"""


def kill_a_relay_mid_batch(db_url: str, kafka: Tansu, batch: int) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run([sys.executable, "-c", RELAY_THAT_DIES, db_url, kafka.bootstrap, str(batch)], env=env,
                          cwd=ROOT, capture_output=True, timeout=120, check=False)
    assert done.returncode == -9, done.stderr.decode()


async def test_crashes_lose_nothing_and_apply_nothing_twice(
    app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn, kafka: Tansu, db_url: str
) -> None:
    pool = app.state.pool
    ensure_topics(kafka.bootstrap)
    work = await workload(app, client, users, conn, seed=23, steps=40)
    skipped_before = duplicates("order_history")

    # 1. A relay process is killed with half a batch in Kafka and its checkpoint not moved.
    kill_a_relay_mid_batch(db_url, kafka, batch=await event_count(conn))
    cur = await conn.execute("SELECT count(*) AS n FROM event_checkpoints WHERE name = 'relay'")
    assert await cur.fetchone() == {"n": 0}
    # The next relay sends the whole batch again: the first half is in Kafka twice.
    relay = Relay(pool, KafkaPublisher(kafka.bootstrap, extra=PRODUCER_CONFIG))
    assert await relay.drain() == await event_count(conn)

    # 2. A consumer applies what it polled and dies before committing its offsets; the next one in the
    # group gets the same messages again, and the duplicates from step 1 besides.
    group = f"crash-{uuid.uuid4().hex}"
    dying = consumer_loop(kafka, pool, group)
    for _ in range(300):
        if await dying.run_once():
            break
    dying.client.close()  # no commit: as if the process died
    consumer = consumer_loop(kafka, pool, group)
    await consume_until_caught_up(consumer, conn)
    consumer.close()

    # 3. The broker is killed; the store goes on; a relay pass fails and moves nothing.
    kafka.kill()
    await workload(app, client, users, conn, seed=23, steps=25, work=work)
    checkpoint = await rows(conn, "SELECT tx_id, position FROM event_checkpoints WHERE name = 'relay'")
    with pytest.raises(PublishFailed):
        await relay.run_once()
    assert await rows(conn, "SELECT tx_id, position FROM event_checkpoints WHERE name = 'relay'") == checkpoint

    # 4. The broker comes back (empty: Tansu keeps memory only) and the relay catches up.
    kafka.start()
    ensure_topics(kafka.bootstrap)
    await relay.drain()
    consumer = consumer_loop(kafka, pool, group)  # the group's offsets died with the broker: from the start
    await consume_until_caught_up(consumer, conn)
    consumer.close()

    # Nothing lost: the read model is the order tables. Nothing twice: one claim per event and consumer,
    # one notice per paid order, and the sums in the read models match the write side.
    assert await rows(conn, READ_ORDERS) == await rows(conn, LIVE_ORDERS)
    # The redeliveries really came (the relay's resent half batch, the uncommitted consumer's batch) and
    # were skipped, not applied.
    assert duplicates("order_history") - skipped_before > 0
    assert await applied_by(conn, "order_history") == await order_events(conn)
    cur = await conn.execute("SELECT (SELECT count(*) FROM notices WHERE kind = 'order_confirmation') AS notices, "
                             "(SELECT count(*) FROM events WHERE type = 'order.paid') AS paid")
    counted = await cur.fetchone()
    assert counted is not None and counted["notices"] == counted["paid"] > 0
    cur = await conn.execute(
        """SELECT (SELECT coalesce(sum(units), 0) FROM read_daily_sales) AS projected,
                  (SELECT coalesce(sum(oi.quantity), 0) FROM order_items oi JOIN orders o ON o.id = oi.order_id
                   WHERE o.status IN ('paid', 'shipped', 'delivered')) AS live""")
    sums = await cur.fetchone()
    assert sums is not None and sums["projected"] == sums["live"]
    cur = await conn.execute("SELECT sum(orders) AS n FROM read_order_status_counts")
    assert (await cur.fetchone() or {})["n"] == len(await rows(conn, LIVE_ORDERS))


async def test_with_kafka_set_the_store_relays_through_the_broker(db_url: str, conn: Conn, kafka: Tansu) -> None:
    """The wiring of a running store: the scheduler queues the relay job, the worker publishes to Kafka,
    and `seiko serve`'s own consumer loop feeds the read models from the topics."""
    from app.scheduler import build_scheduler
    from tests.fix_app import build_test_app, make_settings, started
    from tests.integration.test_event_relay import paid_order

    settings = make_settings(db_url, KAFKA_BOOTSTRAP_SERVERS=kafka.bootstrap, SEIKO_EVENTS_RELAY_SECONDS=1)
    async for app in started(build_test_app(settings)):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            order_id = await paid_order(client, Users(client))
        await build_scheduler(settings, app.state.pool).get_job("outbox_relay").func()
        assert await app.state.worker.run_once()
        cur = await conn.execute("SELECT position FROM event_checkpoints WHERE name = 'relay'")
        assert (await cur.fetchone() or {}).get("position") == await max_position(conn)
        seen: dict[str, object] | None = None
        for _ in range(600):  # the consumer group joins in about half its 10 s session timeout
            cur = await conn.execute(
                "SELECT r.status, (SELECT array_agg(kind) FROM notices n WHERE n.order_id = r.order_id) AS notices "
                "FROM read_orders r WHERE r.order_id = %s", (order_id,))
            if (seen := await cur.fetchone()) == {"status": "paid", "notices": ["order_confirmation"]}:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"the order never reached the read models through Kafka: {seen}")


def duplicates(consumer: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("events_consumer_duplicates_total", {"consumer": consumer}) or 0.0


async def max_position(conn: Conn) -> int:
    cur = await conn.execute("SELECT max(position) AS p FROM events")
    return int((await cur.fetchone() or {})["p"])
