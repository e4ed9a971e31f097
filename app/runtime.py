"""The composition root: which database, its preparation, and the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import prometheus_client
import psycopg
import structlog
from fastapi import FastAPI
from psycopg.rows import dict_row

from agent.services import AgentServices
from api.config import ApiConfig
from api.main import create_app
from api.services import Services
from app.agents import close_agents, open_agents
from app.db_watch import watch_database
from app.events_wiring import build_relay, kafka_consumers
from app.gauges import refresh_forever
from app.jobs_wiring import JobHandlers, build_job_queue, build_worker
from app.llm import build_gateway, build_tracer
from app.scheduler import build_scheduler
from app.settings import Settings
from app.tracing import install_tracing
from commerce.customers import service as customers
from commerce.customers.models import Role
from commerce.forecasting import repo as forecast_repo
from commerce.forecasting.service import refresh_forecasts
from commerce.orders.backfill import import_untracked_orders
from commerce.payments.provider import PaymentProvider, SimulatedProvider
from commerce.payments.stripe_provider import StripeProvider
from commerce.replenishment import earned
from db.embedded import EmbeddedPostgres
from db.migrate import migrate
from db.pool import Pool, open_pool
from db.seed.loader import seed_catalog
from events.feeds import daily_units
from prompts.registry import PromptRegistry
from rag.embedder import Embedder
from rag.indexer import index_missing
from rag.onnx_embedder import OnnxQueryEmbedder
from telemetry import setup as telemetry_setup

_log = structlog.get_logger(component="app.runtime")


class Database:
    """DATABASE_URL when set; otherwise an embedded server under SEIKO_DATA_DIR, owned by us."""

    def __init__(self, settings: Settings) -> None:
        self._url = settings.database_url
        self._embedded = None if settings.database_url else EmbeddedPostgres(settings.embedded_pgdata)

    @property
    def is_embedded(self) -> bool:
        return self._embedded is not None

    def start(self) -> str:
        if self._embedded is not None:
            self._url = self._embedded.start()
            _log.info("embedded_postgres_started", pgdata=str(self._embedded.pgdata))
        assert self._url is not None
        return self._url

    def postmaster_alive(self) -> bool:
        return self._embedded is None or self._embedded.postmaster_alive()

    def restart(self) -> str:
        """Start the embedded server again after it died (DATABASE_URL servers are not ours to start)."""
        if self._embedded is None:
            raise RuntimeError("only the embedded PostgreSQL is supervised")
        self._url = self._embedded.restart()
        return self._url

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.stop()
            _log.info("embedded_postgres_stopped")


async def prepare_database(url: str, settings: Settings) -> None:
    """Migrate, seed on first start, refresh reorder points and bootstrap the admin."""
    applied = await asyncio.to_thread(migrate, url)
    if applied:
        _log.info("migrations_applied", migrations=applied)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
        if settings.seed_catalog and await seed_catalog(conn):
            _log.info("catalog_seeded")
        # Orders with no events (the seeded history, or orders older than the log) get a snapshot event,
        # so the log can rebuild every order (and the daily sales forecasting reads come from it).
        imported = await import_untracked_orders(conn)
        if imported:
            _log.info("orders_imported_into_event_log", orders=imported)
        # A first start (or an upgrade from before forecasts) fits every watch without a forecast, so
        # the stock agent never reasons over missing figures; the daily refit keeps them current.
        unforecast = set(await forecast_repo.stale(conn))
        if unforecast:
            policy = settings.reorder_policy
            fitted = await refresh_forecasts(conn, fill_rates=policy.fill_rates, cover_days=policy.cover_days,
                                             sales=daily_units, only=unforecast)
            _log.info("forecasts_fitted", watches=fitted)
        # Every demand class has a judged autonomy state from the first page view on.
        await earned.evaluate_autonomy(conn, settings.reorder_policy)
        created = await PromptRegistry().sync_from_files(conn)
        if created:
            _log.info("prompts_registered", versions=[f"{p.name}@{p.version}" for p in created])
        if settings.bootstrap_admin_email and settings.bootstrap_admin_password:
            await customers.ensure_user(
                conn, email=settings.bootstrap_admin_email, name="Administrator", role=Role.admin,
                password=settings.bootstrap_admin_password.get_secret_value(),
            )


def api_config(settings: Settings) -> ApiConfig:
    return ApiConfig(
        jwt_secret=settings.jwt_secret.get_secret_value(),
        access_token_ttl=timedelta(minutes=settings.access_token_minutes),
        cors_origins=settings.cors_origins,
        rate_limit_default=settings.rate_limit_default,
        rate_limit_auth=settings.rate_limit_auth,
        rate_limit_chat=settings.rate_limit_chat,
        max_body_bytes=settings.max_body_bytes,
        db_acquire_timeout_s=settings.db_acquire_timeout_s,
        environment=settings.environment,
        alert_token=settings.alert_token(),
        order_limits=settings.order_limits,
        checkout_rates=settings.checkout_rates,
        currency_rates=settings.currency_rates,
        ai_retry_after_s=settings.ai_retry_after_s, reorder_policy=settings.reorder_policy,
        sse_heartbeat_s=settings.sse_heartbeat_s,
        jaeger_url=settings.jaeger_url,
        stripe_webhook_secret=(
            settings.stripe_webhook_secret.get_secret_value() if settings.stripe_webhook_secret else None
        ),
    )


def payment_provider(settings: Settings) -> PaymentProvider:
    """Stripe when a secret key is set; otherwise the simulated provider, labelled as such."""
    if settings.stripe_secret_key is None:
        return SimulatedProvider()
    return StripeProvider(
        secret_key=settings.stripe_secret_key.get_secret_value(),
        publishable_key=settings.stripe_publishable_key,
        api_base=settings.stripe_api_base,
        timeout_seconds=settings.stripe_timeout_seconds,
        max_retries=settings.stripe_max_retries,
    )


def build_embedder(settings: Settings) -> Embedder:
    """The store's embedder: torch indexes; queries go through the int8 ONNX copy unless told not to."""
    if settings.embedding_backend == "torch" and settings.query_embedding_backend == "onnx-int8":
        return OnnxQueryEmbedder(settings.embedding_model, cache_dir=settings.data_dir / "models")
    return Embedder(settings.embedding_model, backend=settings.embedding_backend)


async def _index_in_background(pool: Pool, embedder: Embedder) -> None:
    """Embed what is missing or stale, then keep the model warm for the first search."""
    try:
        async with pool.connection() as conn:
            report = await index_missing(conn, embedder)
        _log.info("search_index_ready", embedded=report.embedded, unchanged=report.unchanged)
        await embedder.warm_up()  # the ONNX query model is exported here on a first start
        _log.info("query_embedder_ready", backend=embedder.query_backend)
    except Exception:  # the store still serves (lexical search) if the model cannot load
        _log.exception("search_index_failed")


def job_handlers(settings: Settings, pool: Pool, services: Services, agents: AgentServices) -> JobHandlers:
    return JobHandlers(
        pool=pool, agents=agents, payments=services.payments, embedder=services.embedder,
        order_payment_timeout=timedelta(minutes=settings.order_payment_timeout_minutes),
        notify_url=settings.notify_webhook_url, reorder_policy=settings.reorder_policy,
        relay=build_relay(settings, pool),
    )


def build_app(settings: Settings, *, embedder: Embedder | None = None) -> FastAPI:
    # Counters without their `_created` twins: half the series, and nothing reads them.
    prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]
    database = Database(settings)
    payments = payment_provider(settings)
    embedder = embedder or build_embedder(settings)
    # Before anything opens a connection or a client: psycopg and httpx are instrumented process-wide.
    tracing = install_tracing(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = await asyncio.to_thread(database.start)
        try:
            await prepare_database(url, settings)
            pool = await open_pool(url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
            app.state.pool = pool
            app.state.database_embedded = database.is_embedded
            # Everything built at start lives as long as the process: keep it out of the cyclic
            # collector's sweeps, which otherwise grow with it and show up as tail latency.
            indexing = asyncio.create_task(_index_in_background(pool, embedder)) if settings.index_on_start else None
            agents = await open_agents(settings, url, gateway=services.gateway, tracer=services.tracer)
            app.state.agents = agents
            queue = build_job_queue(settings, url, job_handlers(settings, pool, services, agents))
            worker = build_worker(settings, queue, name="serve")
            working = asyncio.create_task(worker.run_forever()) if settings.worker_enabled else None
            gauges = asyncio.create_task(refresh_forever(pool, every_seconds=settings.metrics_refresh_seconds))
            watching = asyncio.create_task(watch_database(database, pool, app.state.db_health, url))
            app.state.worker = worker
            # With Kafka, this process also feeds the consumers from the topics (the relay is a job).
            events_feed = kafka_consumers(settings, pool)
            await events_feed.__aenter__()
            scheduler = build_scheduler(settings, pool)
            if settings.scheduler_enabled:
                scheduler.start()
            gc.freeze()
            try:
                yield
            finally:
                if scheduler.running:
                    scheduler.shutdown(wait=False)
                services.tracer.shutdown()
                telemetry_setup.shutdown(tracing)
                for task in (working, gauges, watching):
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                if indexing is not None and not indexing.done():
                    indexing.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await indexing
                await events_feed.__aexit__(None, None, None)
                await queue.close()
                await close_agents(agents)
                await pool.close()
        finally:
            await asyncio.to_thread(database.stop)

    services = Services(payments=payments, embedder=embedder, gateway=build_gateway(settings),
                        tracer=build_tracer(settings))
    app = create_app(api_config(settings), services, lifespan=lifespan)
    telemetry_setup.instrument_app(app, tracing)
    return app
