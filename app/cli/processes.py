"""The long-running processes: `seiko serve`, `seiko api`, `seiko worker`, and `seiko migrate`."""

from __future__ import annotations

import prometheus_client
import typer
import uvicorn

from app.cli._common import console, with_database
from app.logging import configure_logging
from app.settings import Settings, get_settings

cli = typer.Typer()
DEFAULT_METRICS_PORT = 9464  # DESIGN.md section 5: the metrics port when SEIKO_METRICS_PORT is unset


def _run_http(settings: Settings, *, host: str, port: int, parts: str) -> None:
    """Serve the app built by the composition root with uvicorn, in the foreground."""
    from app.runtime import build_app

    configure_logging(level=settings.log_level, json=settings.log_json)
    where = "DATABASE_URL" if settings.database_url else f"embedded PostgreSQL in {settings.embedded_pgdata}"
    console.print(f"[bold]Seiko Watch Store[/bold] ({parts}) on {where}")
    console.print(start_banner(settings, host=host, port=port))
    console.print("  Ctrl-C stops the store" + (" and its database." if not settings.database_url else "."))
    trusted = settings.forwarded_allow_ips
    uvicorn.run(build_app(settings), host=host, port=port, log_config=None, access_log=False,
                proxy_headers=trusted is not None, forwarded_allow_ips=trusted, server_header=False)


def start_banner(settings: Settings, *, host: str, port: int) -> str:
    """Where a person goes first: the shop, the ops console, the API docs, and the metrics, which
    are served on their own port (SEIKO_METRICS_PORT, default 9464), never on the store's."""
    base = f"http://{host}:{port}"
    metrics_port = getattr(settings, "metrics_port", None) or DEFAULT_METRICS_PORT
    return "\n".join([f"  shop        {base}/", f"  ops console {base}/ops", f"  API docs    {base}/docs",
                      f"  metrics     http://{host}:{metrics_port}/metrics"])


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
    """Run only the background worker (stock-agent jobs); many may run beside `seiko serve` or `seiko api`.
    With SEIKO_WORKER_METRICS_PORT set it serves Prometheus metrics on that port."""
    from app.llm import build_gateway, build_tracer
    from app.worker import Worker, stock_loop
    from db.pool import open_pool

    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    _serve_worker_metrics(settings)

    async def work(url: str) -> None:
        pool = await open_pool(url, min_size=1, max_size=4)
        try:
            await Worker(pool, stock_loop(build_gateway(settings), build_tracer(settings)),
                         settings.reorder_policy, notify_url=settings.notify_webhook_url).run_forever()
        finally:
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
