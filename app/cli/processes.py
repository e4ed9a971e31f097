"""The long-running processes: `seiko serve`, `seiko api`, `seiko worker`, and `seiko migrate`."""

from __future__ import annotations

import prometheus_client
import typer
import uvicorn

from api.metrics_endpoint import MetricsServer, start_metrics_server
from app.cli._common import console, with_database
from app.http_protocol import guarded_protocol
from app.logging import configure_logging
from app.settings import Settings, get_settings

cli = typer.Typer()


def _run_http(settings: Settings, *, host: str, port: int, parts: str) -> None:
    """Serve the app built by the composition root with uvicorn, in the foreground."""
    from app.runtime import build_app

    configure_logging(level=settings.log_level, json=settings.log_as_json)
    where = "DATABASE_URL" if settings.database_url else f"embedded PostgreSQL in {settings.embedded_pgdata}"
    console.print(f"[bold]Seiko Watch Store[/bold] ({parts}) on {where}")
    metrics_host = settings.metrics_host or host
    metrics = _start_metrics(settings, metrics_host, port)
    console.print(start_banner(settings, host=host, port=port, metrics_host=metrics_host, metrics_port=metrics.port))
    console.print("  Ctrl-C stops the store" + (" and its database." if not settings.database_url else "."))
    trusted = settings.forwarded_allow_ips
    try:
        uvicorn.run(build_app(settings), host=host, port=port, log_config=None, access_log=False,
                    proxy_headers=trusted is not None, forwarded_allow_ips=trusted, server_header=False,
                    http=guarded_protocol(header_timeout_s=settings.http_header_timeout_s,
                                          max_header_bytes=settings.http_max_header_bytes),
                    timeout_keep_alive=settings.http_keep_alive_s,
                    h11_max_incomplete_event_size=settings.http_max_header_bytes)
    finally:
        metrics.close()


def _start_metrics(settings: Settings, host: str, store_port: int) -> MetricsServer:
    """/metrics on SEIKO_METRICS_PORT, never on the store's port (a scrape must not share its limits,
    its event loop or its audience with shoppers)."""
    if settings.metrics_port == store_port:
        raise typer.BadParameter(f"SEIKO_METRICS_PORT ({settings.metrics_port}) must differ from the store's port")
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]  # as build_app does
    try:
        return start_metrics_server(host, settings.metrics_port, token=token)
    except OSError as error:
        raise typer.BadParameter(f"cannot listen for metrics on {host}:{settings.metrics_port} ({error.strerror}); "
                                 "set SEIKO_METRICS_PORT to a free port") from error


def start_banner(settings: Settings, *, host: str, port: int, metrics_host: str | None = None,
                 metrics_port: int | None = None) -> str:
    """Where a person goes first: the shop, the ops console, the API docs, and the metrics, which
    are served on their own port (SEIKO_METRICS_PORT, default 9464), never on the store's."""
    base = f"http://{host}:{port}"
    metrics_url = f"http://{metrics_host or host}:{metrics_port or settings.metrics_port}/metrics"
    return "\n".join([f"  shop        {base}/", f"  ops console {base}/ops", f"  API docs    {base}/docs",
                      f"  metrics     {metrics_url}" + (" (bearer token required)" if settings.metrics_token else "")])


@cli.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
) -> None:
    """Run the store: API, worker, scheduler and database (embedded unless DATABASE_URL is set)."""
    _run_http(get_settings(), host=host, port=port, parts="API, worker and scheduler")


@cli.command()
def api(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
) -> None:
    """Run the API (and the scheduler, unless SEIKO_SCHEDULER=false) without the in-process worker:
    agent jobs wait in the queue for `seiko worker` processes."""
    # The scheduler's jobs are safe to run in several replicas (row locks and per-period dedupe keys).
    settings = get_settings().model_copy(update={"worker_enabled": False})
    _run_http(settings, host=host, port=port, parts="API" + (" and scheduler" if settings.scheduler_enabled else ""))


def _serve_worker_metrics(settings: Settings) -> None:
    """GET /metrics of this worker on SEIKO_WORKER_METRICS_PORT, from a daemon thread (when set)."""
    if settings.worker_metrics_port is None:
        return
    prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]  # as the API does
    prometheus_client.start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host)
    console.print(f"worker metrics on http://{settings.worker_metrics_host}:{settings.worker_metrics_port}/metrics")


@cli.command()
def worker() -> None:
    """Run only the job worker (stock-agent runs, notifications, order expiry, embedding refresh); many may
    run beside `seiko serve` or `seiko api`. SEIKO_WORKER_CONCURRENCY jobs at once; Ctrl-C or SIGTERM
    lets running jobs finish. With SEIKO_WORKER_METRICS_PORT set it serves Prometheus metrics on that port."""
    import socket

    from api.services import Services
    from app.agents import close_agents, open_agents
    from app.jobs_wiring import build_job_queue, build_worker
    from app.llm import build_gateway, build_tracer
    from app.runtime import job_handlers, payment_provider
    from app.tracing import install_tracing
    from db.pool import open_pool
    from rag.embedder import Embedder
    from telemetry import setup as telemetry_setup

    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.log_as_json)
    _serve_worker_metrics(settings)
    tracing = install_tracing(settings)  # each job continues the trace of the request that queued it

    async def work(url: str) -> None:
        # The handlers' share of the database: one connection per concurrent job, and one to spare.
        pool = await open_pool(url, min_size=1, max_size=settings.worker_concurrency + 1)
        services = Services(payments=payment_provider(settings),
                            embedder=Embedder(settings.embedding_model, backend=settings.embedding_backend),
                            gateway=build_gateway(settings), tracer=build_tracer(settings))
        agents = await open_agents(settings, url, gateway=services.gateway, tracer=services.tracer)
        queue = build_job_queue(settings, url, job_handlers(settings, pool, services, agents))
        try:
            await build_worker(settings, queue, name=f"worker@{socket.gethostname()}").run_forever(
                install_signal_handlers=True)
        finally:
            services.tracer.shutdown()
            telemetry_setup.shutdown(tracing)
            await queue.close()
            await close_agents(agents)
            await pool.close()

    with_database(work)


@cli.command("migrate")
def migrate_cmd() -> None:
    """Apply pending database migrations (the server also does this at start)."""
    from app.runtime import Database
    from db.migrate import migrate

    database = Database(get_settings())
    try:
        applied = migrate(database.start())
        console.print(f"applied: {', '.join(applied) or 'nothing (up to date)'}")
    finally:
        database.stop()
