"""Kafka: the relay's publisher (confluent-kafka's idempotent producer) and the loop that feeds the
same consumers from the topics.

Each event goes to its aggregate's topic keyed by its subject (an order's id), so one order's events
share a partition and stay in order. The producer is idempotent (`enable.idempotence`, acks=all): its
own retries never write a message twice; a relay that re-sends a batch after a crash can, and the
consumers skip what they applied (by event id). Offsets are committed after the batch is applied."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import structlog
from confluent_kafka import Consumer as KafkaConsumer
from confluent_kafka import KafkaError, KafkaException, Message, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from db.pool import Pool
from events.consumers import Consumer, deliver
from events.envelope import TOPICS, Event

_log = structlog.get_logger(component="events.kafka")
CONTENT_TYPE = "application/cloudevents+json"


class PublishFailed(Exception):
    """Kafka did not confirm every message of a batch: the relay sends the batch again."""


def ensure_topics(bootstrap: str, *, partitions: int = 3, timeout_s: float = 10.0) -> None:
    """Create the three topics when missing (an existing topic is left as it is)."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(t, num_partitions=partitions, replication_factor=1)
                                   for t in sorted(TOPICS.values())], operation_timeout=timeout_s)
    for topic, future in futures.items():
        try:
            future.result(timeout=timeout_s)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
            _log.debug("topic_exists", topic=topic)


class KafkaPublisher:
    destination = "kafka"

    def __init__(self, bootstrap: str, *, flush_timeout_s: float = 30.0, extra: dict[str, Any] | None = None) -> None:
        self.flush_timeout_s = flush_timeout_s
        self.config = {"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5,
                       "client.id": "seiko-relay", **(extra or {})}
        self.producer = Producer(self.config)
        self.topics_ready = False

    async def publish(self, events: list[Event]) -> None:
        if not self.topics_ready:  # once per process, at the first publish: never a network wait at start
            try:
                await asyncio.to_thread(ensure_topics, str(self.config["bootstrap.servers"]))
            except Exception as exc:  # KafkaException, or a timeout while the broker is away
                raise PublishFailed(f"could not create the topics: {exc!r}") from exc
            self.topics_ready = True
        failures: list[str] = []

        def delivered(err: KafkaError | None, _msg: Message) -> None:
            if err is not None:
                failures.append(str(err))

        for event in events:
            while True:
                try:
                    self.producer.produce(event.topic, key=event.subject.encode(), value=event.to_json(),
                                          headers={"content-type": CONTENT_TYPE}, on_delivery=delivered)
                    break
                except BufferError:  # the local queue is full: let it drain
                    await asyncio.to_thread(self.producer.poll, 0.1)
        remaining = await asyncio.to_thread(self.producer.flush, self.flush_timeout_s)
        if remaining or failures:
            # A new producer (a new producer id) for the next attempt: after a broker restart or a fatal
            # idempotence error the old one may never deliver again. The batch is sent again in full.
            old, self.producer = self.producer, Producer(self.config)
            self.topics_ready = False  # a broker that came back empty needs its topics again
            await asyncio.to_thread(old.purge)
            raise PublishFailed(f"{remaining} undelivered, {len(failures)} failed: {failures[:3]}")

    def close(self) -> None:
        self.producer.flush(self.flush_timeout_s)


class KafkaConsumerLoop:
    """Poll the topics and give each batch to the consumers, then commit the offsets."""

    def __init__(self, bootstrap: str, pool: Pool, consumers: Sequence[Consumer], *, group_id: str,
                 extra: dict[str, Any] | None = None, batch: int = 500, poll_s: float = 0.2) -> None:
        self.pool = pool
        self.consumers = list(consumers)
        self.batch = batch
        self.poll_s = poll_s
        self.client = KafkaConsumer({
            "bootstrap.servers": bootstrap, "group.id": group_id, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "client.id": f"seiko-{group_id}",
            # A fetch waits at most this long for data (librdkafka's 500 ms would be most of the lag).
            "fetch.wait.max.ms": 50, **(extra or {})})
        self.client.subscribe(sorted(TOPICS.values()))

    async def run_once(self) -> int:
        """One poll: apply what came (each consumer skipping what it saw) and commit; events applied."""
        messages = await asyncio.to_thread(self.client.consume, self.batch, self.poll_s)
        events: list[Event] = []
        for message in messages:
            error = message.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    _log.warning("kafka_consume_error", error=str(error))
                continue
            value = message.value()
            if value is not None:
                events.append(Event.from_json(value))
        applied = 0
        if events:
            async def one(consumer: Consumer) -> int:  # independent consumers apply side by side
                async with self.pool.connection() as conn:
                    return await deliver(conn, consumer, events)

            applied = sum(await asyncio.gather(*(one(c) for c in self.consumers)))
        if events:
            try:
                await asyncio.to_thread(self.client.commit, asynchronous=False)
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError._NO_OFFSET:
                    raise
        return applied

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                _log.warning("kafka_consumer_pass_failed", exc_info=True)
                await asyncio.sleep(1.0)

    def close(self) -> None:
        self.client.close()
