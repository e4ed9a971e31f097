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


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cli()
