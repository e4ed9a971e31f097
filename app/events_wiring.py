"""Which way events go: to Kafka when KAFKA_BOOTSTRAP_SERVERS is set, else to this process's consumers.

Both ways run the same consumers (read models, notices, the demand signal) through the same interface;
with Kafka they run in whichever process polls the topics (`seiko serve`, `seiko events consume`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import structlog

from app.settings import Settings
from db.pool import Pool
from events.kafka import KafkaConsumerLoop, KafkaPublisher, ensure_topics
from events.projections import all_consumers
from events.relay import InProcessPublisher, Publisher, Relay

_log = structlog.get_logger(component="app.events")
# Tests and the benchmark shorten these; a broker that restarts is noticed within seconds.
KAFKA_CONSUMER_DEFAULTS: dict[str, Any] = {"session.timeout.ms": 10_000, "heartbeat.interval.ms": 2_000}


def build_publisher(settings: Settings, pool: Pool) -> Publisher:
    if settings.kafka_bootstrap_servers:
        return KafkaPublisher(settings.kafka_bootstrap_servers)
    return InProcessPublisher(pool, all_consumers())


def build_relay(settings: Settings, pool: Pool) -> Relay:
    return Relay(pool, build_publisher(settings, pool), batch=settings.events_relay_batch)


def build_consumer_loop(settings: Settings, pool: Pool, *, extra: dict[str, Any] | None = None) -> KafkaConsumerLoop:
    assert settings.kafka_bootstrap_servers, "only with Kafka"
    ensure_topics(settings.kafka_bootstrap_servers)
    return KafkaConsumerLoop(settings.kafka_bootstrap_servers, pool, all_consumers(),
                             group_id=settings.events_consumer_group,
                             extra={**KAFKA_CONSUMER_DEFAULTS, **(extra or {})})


@contextlib.asynccontextmanager
async def kafka_consumers(settings: Settings, pool: Pool) -> AsyncIterator[None]:
    """With Kafka: poll the topics into the consumers for as long as the block runs. Without: nothing."""
    if not settings.kafka_bootstrap_servers:
        yield
        return
    loop = await asyncio.to_thread(build_consumer_loop, settings, pool)
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run_forever(stop))
    _log.info("kafka_consumers_started", bootstrap=settings.kafka_bootstrap_servers,
              group=settings.events_consumer_group)
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.to_thread(loop.close)
