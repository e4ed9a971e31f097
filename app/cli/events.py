"""`seiko events ...`: rebuild the read models from the log, and feed the consumers from Kafka."""

from __future__ import annotations

from typing import Any

import typer

from app.cli._common import console, fail, with_connection, with_database
from app.settings import get_settings

events_cli = typer.Typer(help="The event log: replays and consumers.", no_args_is_help=True)


@events_cli.command("replay")
def replay() -> None:
    """Rebuild the read models (order history, dashboard figures, daily sales, demand signal) from the
    event log, each in one transaction; running it twice gives the same tables."""
    from commerce.orders.backfill import import_untracked_orders
    from events.consumers import rebuild
    from events.projections import read_models_consumers

    async def work(conn: Any) -> None:
        imported = await import_untracked_orders(conn)
        if imported:
            console.print(f"imported {imported} orders that had no events")
        for consumer in read_models_consumers():
            applied = await rebuild(conn, consumer)
            console.print(f"{consumer.name}: rebuilt from {applied} events")

    with_connection(work)


@events_cli.command("consume")
def consume() -> None:
    """With KAFKA_BOOTSTRAP_SERVERS: poll seiko.orders, seiko.inventory and seiko.reorders into the
    consumers (read models, notices, demand signal) until Ctrl-C or SIGTERM. With
    SEIKO_WORKER_METRICS_PORT set it serves Prometheus metrics on that port."""
    import asyncio
    import signal

    from app.cli.processes import _serve_worker_metrics
    from app.events_wiring import kafka_consumers
    from app.logging import configure_logging
    from db.pool import open_pool

    settings = get_settings()
    if not settings.kafka_bootstrap_servers:
        fail("KAFKA_BOOTSTRAP_SERVERS is not set: without Kafka the relay job feeds the consumers itself")
    configure_logging(level=settings.log_level, json=settings.log_as_json)
    _serve_worker_metrics(settings)  # SEIKO_WORKER_METRICS_PORT: events_consumed_total and the rest

    async def work(url: str) -> None:
        pool = await open_pool(url, min_size=1, max_size=2)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            async with kafka_consumers(settings, pool):
                await stop.wait()
        finally:
            await pool.close()

    with_database(work)
