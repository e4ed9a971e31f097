"""The `seiko` command: one Typer app assembled from the command modules beside this file."""

from __future__ import annotations

import os

import typer

from app.cli import events, operations, processes, quality

cli = typer.Typer(help="Seiko Watch Store: the store, its agents and its tools.", no_args_is_help=True)
cli.registered_commands += processes.cli.registered_commands + operations.cli.registered_commands
cli.add_typer(quality.rag_cli, name="rag")
cli.add_typer(quality.evals_cli, name="evals")
cli.add_typer(operations.drill_cli, name="drill")
cli.add_typer(operations.prompts_cli, name="prompts")
cli.add_typer(events.events_cli, name="events")


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # Loading the embedding model draws progress bars and notes on stderr; the log says what matters.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    cli()
