"""The `seiko` command."""

from __future__ import annotations

import os

import typer
import uvicorn
from rich.console import Console

from app.logging import configure_logging
from app.settings import get_settings

cli = typer.Typer(help="Seiko Watch Store: the store, its agents and its tools.", no_args_is_help=True)
console = Console(stderr=True)


@cli.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
) -> None:
    """Run the store: API, database (embedded unless DATABASE_URL is set), seeding on first start."""
    from app.runtime import build_app

    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    where = "DATABASE_URL" if settings.database_url else f"embedded PostgreSQL in {settings.embedded_pgdata}"
    base = f"http://{host}:{port}"
    console.print(f"[bold]Seiko Watch Store[/bold] on {where}")
    console.print(f"  catalog  {base}/api/v1/watches\n  API docs {base}/docs\n  metrics  {base}/metrics")
    console.print("  Ctrl-C stops the store and its database.")
    uvicorn.run(build_app(settings), host=host, port=port, log_config=None, access_log=False,
                proxy_headers=False, server_header=False)


@cli.command("migrate")
def migrate_cmd() -> None:
    """Apply pending database migrations (the server also does this at start)."""
    from app.runtime import Database
    from db.migrate import migrate

    settings = get_settings()
    database = Database(settings)
    try:
        applied = migrate(database.start())
        console.print(f"applied: {', '.join(applied) or 'nothing (up to date)'}")
    finally:
        database.stop()


rag_cli = typer.Typer(help="The search index.", no_args_is_help=True)
cli.add_typer(rag_cli, name="rag")


@rag_cli.command("index")
def rag_index() -> None:
    """Embed every watch and review whose text changed since it was last embedded."""
    import asyncio

    import psycopg
    from psycopg.rows import dict_row
    from rich.progress import Progress

    from app.runtime import Database, prepare_database
    from rag.embedder import Embedder
    from rag.indexer import index_missing

    settings = get_settings()
    database = Database(settings)

    async def run(url: str) -> None:
        await prepare_database(url, settings)
        embedder = Embedder(settings.embedding_model, backend=settings.embedding_backend)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
            with Progress(console=console) as bar:
                task = bar.add_task("embedding", total=None)
                report = await index_missing(conn, embedder,
                                             progress=lambda done, total: bar.update(task, completed=done, total=total))
        console.print(f"embedded {report.embedded}, unchanged {report.unchanged} ({embedder.model_name})")

    try:
        asyncio.run(run(database.start()))
    finally:
        database.stop()


evals_cli = typer.Typer(help="Quality evaluations.", no_args_is_help=True)
cli.add_typer(evals_cli, name="evals")


@evals_cli.command("search")
def evals_search() -> None:
    """NDCG@10 and recall@10 of each search mode on the labelled queries in evals/search/queries.yaml."""
    import asyncio

    import psycopg
    from psycopg.rows import dict_row
    from rich.table import Table

    from app.runtime import Database, prepare_database
    from evals.search.harness import K, evaluate, load_cases
    from rag.embedder import Embedder
    from rag.indexer import index_missing
    from rag.retriever import Mode

    settings = get_settings()
    database = Database(settings)
    cases = load_cases()

    async def run(url: str) -> None:
        await prepare_database(url, settings)
        embedder = Embedder(settings.embedding_model, backend=settings.embedding_backend)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
            await index_missing(conn, embedder)
            scores = [await evaluate(conn, embedder, cases, mode) for mode in (Mode.lexical, Mode.vector, Mode.hybrid)]
        kinds = sorted(scores[0].by_kind)
        table = Table(title=f"Search quality on {len(cases)} labelled queries ({embedder.model_name})")
        for column in ("mode", f"NDCG@{K}", f"recall@{K}", *(f"NDCG {k}" for k in kinds)):
            table.add_column(column, justify="right")
        for s in scores:
            table.add_row(s.mode.value, f"{s.ndcg:.3f}", f"{s.recall:.3f}", *(f"{s.by_kind[k]:.3f}" for k in kinds))
        Console().print(table)

    try:
        asyncio.run(run(database.start()))
    finally:
        database.stop()


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cli()
