"""The `seiko` command."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

import prometheus_client
import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from app.logging import configure_logging
from app.settings import Settings, get_settings

cli = typer.Typer(help="Seiko Watch Store: the store, its agents and its tools.", no_args_is_help=True)
rag_cli = typer.Typer(help="The search index.", no_args_is_help=True)
evals_cli = typer.Typer(help="Quality evaluations.", no_args_is_help=True)
drill_cli = typer.Typer(help="Drills that exercise the real paths.", no_args_is_help=True)
prompts_cli = typer.Typer(help="Versioned prompts.", no_args_is_help=True)
cli.add_typer(rag_cli, name="rag")
cli.add_typer(evals_cli, name="evals")
cli.add_typer(drill_cli, name="drill")
cli.add_typer(prompts_cli, name="prompts")
console = Console(stderr=True)


def _with_database(work: Callable[[str], Awaitable[None]]) -> None:
    """Start the configured database (embedded unless DATABASE_URL is set), prepare it as the server
    does, run `work(url)`, and stop the database again."""
    from app.runtime import Database, prepare_database

    settings = get_settings()
    database = Database(settings)

    async def run(url: str) -> None:
        await prepare_database(url, settings)
        await work(url)

    try:
        asyncio.run(run(database.start()))
    finally:
        database.stop()


def _with_connection(work: Callable[[Any], Awaitable[None]]) -> None:
    """Like _with_database, with one autocommit connection for `work`."""
    import psycopg
    from psycopg.rows import dict_row

    async def run(url: str) -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
            await work(conn)

    _with_database(run)


def _run_http(settings: Settings, *, host: str, port: int, parts: str) -> None:
    """Serve the app built by the composition root with uvicorn, in the foreground."""
    from app.runtime import build_app

    configure_logging(level=settings.log_level, json=settings.log_json)
    where = "DATABASE_URL" if settings.database_url else f"embedded PostgreSQL in {settings.embedded_pgdata}"
    base = f"http://{host}:{port}"
    console.print(f"[bold]Seiko Watch Store[/bold] ({parts}) on {where}")
    console.print(f"  catalog  {base}/api/v1/watches\n  API docs {base}/docs\n  metrics  {base}/metrics")
    console.print("  Ctrl-C stops the store" + (" and its database." if not settings.database_url else "."))
    trusted = settings.forwarded_allow_ips
    uvicorn.run(build_app(settings), host=host, port=port, log_config=None, access_log=False,
                proxy_headers=trusted is not None, forwarded_allow_ips=trusted, server_header=False)


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

    _with_database(work)


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


@rag_cli.command("index")
def rag_index() -> None:
    """Embed every watch and review whose text changed since it was last embedded."""
    from rich.progress import Progress

    from rag.embedder import Embedder
    from rag.indexer import index_missing

    settings = get_settings()

    async def work(conn: Any) -> None:
        embedder = Embedder(settings.embedding_model, backend=settings.embedding_backend)
        with Progress(console=console) as bar:
            task = bar.add_task("embedding", total=None)
            report = await index_missing(conn, embedder,
                                         progress=lambda done, total: bar.update(task, completed=done, total=total))
        console.print(f"embedded {report.embedded}, unchanged {report.unchanged} ({embedder.model_name})")

    _with_connection(work)


@evals_cli.command("search")
def evals_search() -> None:
    """NDCG@10 and recall@10 of each search mode on the labelled queries in evals/search/queries.yaml."""
    from evals.search.harness import K, evaluate, load_cases
    from rag.embedder import Embedder
    from rag.indexer import index_missing
    from rag.retriever import Mode

    settings = get_settings()
    cases = load_cases()

    async def work(conn: Any) -> None:
        embedder = Embedder(settings.embedding_model, backend=settings.embedding_backend)
        await index_missing(conn, embedder)
        scores = [await evaluate(conn, embedder, cases, mode) for mode in (Mode.lexical, Mode.vector, Mode.hybrid)]
        kinds = sorted(scores[0].by_kind)
        table = Table(title=f"Search quality on {len(cases)} labelled queries ({embedder.model_name})")
        for column in ("mode", f"NDCG@{K}", f"recall@{K}", *(f"NDCG {k}" for k in kinds)):
            table.add_column(column, justify="right")
        for s in scores:
            table.add_row(s.mode.value, f"{s.ndcg:.3f}", f"{s.recall:.3f}", *(f"{s.by_kind[k]:.3f}" for k in kinds))
        Console().print(table)

    _with_connection(work)


@evals_cli.command("run")
def evals_run(
    suite: str = typer.Option("stock", help="stock or shopper"),
    baseline: str = typer.Option("production", help="prompt label or version number"),
    candidate: str = typer.Option("candidate", help="prompt label or version number"),
    repetitions: int = typer.Option(3, min=1, max=50),
    providers: str = typer.Option("", help="comma-separated: claude, ollama, offline (default: those configured)"),
    margin: float = typer.Option(0.05, help="how much worse the candidate may be and still pass"),
) -> None:
    """Run the suite's cases against two prompt variants, store the results, write the HTML report."""
    from rich.progress import Progress

    from agent.gateway import Gateway
    from app.llm import build_gateway
    from evals.ab.runner import load_results, run_suite
    from rag.embedder import Embedder

    settings = get_settings()
    full = build_gateway(settings)
    configured = [slot.provider.name for slot in full.slots] + ["offline"]
    chosen = [p.strip() for p in providers.split(",") if p.strip()] or configured[:1]

    def gateway_for(provider: str) -> Gateway:
        slots = [slot for slot in full.slots if slot.provider.name == provider]
        return Gateway(slots, prices=full.prices, budgets=full.budgets, limits=full.limits)

    async def work(conn: Any) -> None:
        with Progress(console=console) as bar:
            task = bar.add_task(f"{suite} evals", total=None)
            run_id = await run_suite(
                conn, suite=suite, gateway_for=gateway_for, providers=chosen, baseline=baseline, candidate=candidate,
                repetitions=repetitions, margin=margin, policy=settings.reorder_policy,
                embedder=Embedder(settings.embedding_model, backend=settings.embedding_backend),
                progress=lambda done, total: bar.update(task, completed=done, total=total))
        run, _ = await load_results(conn, run_id)
        report = settings.data_dir / "reports" / f"eval-{run_id}.html"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(run["report_html"])
        console.print(f"run {run_id}: {run['candidate']} - {run['baseline']} = {run['mean_diff']:+.3f} "
                      f"[{run['diff_low']:+.3f}, {run['diff_high']:+.3f}], p = {run['p_value']:.3f}; "
                      f"{'not worse' if run['not_worse'] else 'WORSE'} (margin {margin})")
        console.print(f"report: {report}  (also GET /api/v1/ops/evals/{run_id}/report)")

    _with_connection(work)


@drill_cli.command("low-stock")
def drill_low_stock(url: str = typer.Option("http://127.0.0.1:8000", help="The running store")) -> None:
    """Fire a synthetic WatchesLowStock alert through the real Alertmanager webhook of a running store."""
    import uuid
    from datetime import UTC, datetime

    import httpx

    settings = get_settings()
    fingerprint = f"drill{uuid.uuid4().hex[:12]}"
    payload = {
        "version": "4", "groupKey": "drill", "truncatedAlerts": 0, "status": "firing", "receiver": "drill",
        "groupLabels": {"alertname": "WatchesLowStock"}, "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "", "alerts": [{
            "status": "firing", "fingerprint": fingerprint, "startsAt": datetime.now(UTC).isoformat(),
            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "seiko drill low-stock",
            "labels": {"alertname": "WatchesLowStock", "alert_type": "stock", "severity": "warning",
                       "source": "drill"},
            "annotations": {"summary": "Drill: watches at or below their reorder point"}}]}
    response = httpx.post(f"{url.rstrip('/')}/api/v1/alerts/alertmanager", json=payload, timeout=10,
                          headers={"Authorization": f"Bearer {settings.alert_token()}"})
    console.print(f"{response.status_code} {response.text}")
    if response.status_code != 202:
        raise typer.Exit(1)
    console.print(f"queued as alert:{fingerprint}; see GET /api/v1/ops/reorders?status=pending")


@prompts_cli.command("list")
def prompts_list() -> None:
    """Every prompt with its versions and labels."""
    from prompts.registry import PromptRegistry

    async def work(conn: Any) -> None:
        table = Table(title="Prompts")
        for column in ("prompt", "versions", "labels"):
            table.add_column(column)
        for p in await PromptRegistry().list_prompts(conn):
            table.add_row(p.name, ", ".join(str(v.version) for v in p.versions),
                          ", ".join(f"{label}={version}" for label, version in sorted(p.labels.items())))
        Console().print(table)

    _with_connection(work)


@prompts_cli.command("label")
def prompts_label(name: str, label: str, version: int) -> None:
    """Point LABEL (e.g. production or candidate) of prompt NAME at VERSION."""
    from prompts.registry import PromptRegistry

    async def work(conn: Any) -> None:
        await PromptRegistry().set_label(conn, name, label, version)
        console.print(f"{name}: {label} -> version {version}")

    _with_connection(work)


@prompts_cli.command("promote")
def prompts_promote(run: str = typer.Option(..., help="the eval run that compared the candidate"),
                    label: str = typer.Option("production")) -> None:
    """Move LABEL to the run's candidate only if it was not worse beyond the run's margin (exit 1 if it was)."""
    import uuid

    from evals.ab.runner import promote

    promoted: list[bool] = []

    async def work(conn: Any) -> None:
        promoted.append(await promote(conn, run_id=uuid.UUID(run), label=label))

    _with_connection(work)
    if not promoted[0]:
        console.print("refused: the candidate was worse than the baseline beyond the margin")
        raise typer.Exit(1)
    console.print(f"promoted: {label} now points at the candidate")


@cli.command("costs")
def costs_cmd(
    by: str = typer.Option("model,day", help="Group by any of model, day, agent, provider, outcome"),
    days: int = typer.Option(30, help="How many days back"),
) -> None:
    """LLM calls, tokens and USD from the decision log, as a table."""
    from decision_log.service import costs

    async def work(conn: Any) -> None:
        report = await costs(conn, by=by, days=days)
        table = Table(title=f"LLM costs, last {days} days")
        columns = [*report.by, "calls", "input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens",
                   "cost_usd"]
        for column in columns:
            table.add_column(column, justify="right")
        for row in report.rows:
            table.add_row(*(str(getattr(row, c)) for c in columns))
        Console().print(table)

    _with_connection(work)


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cli()
