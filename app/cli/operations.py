"""Operating the store: `seiko drill ...`, `seiko prompts ...` and `seiko costs`."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from app.cli._common import console, with_connection
from app.settings import get_settings

drill_cli = typer.Typer(help="Drills that exercise the real paths.", no_args_is_help=True)
prompts_cli = typer.Typer(help="Versioned prompts.", no_args_is_help=True)
cli = typer.Typer()


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

    with_connection(work)


@prompts_cli.command("label")
def prompts_label(name: str, label: str, version: int) -> None:
    """Point LABEL (e.g. production or candidate) of prompt NAME at VERSION."""
    from prompts.registry import PromptRegistry

    async def work(conn: Any) -> None:
        await PromptRegistry().set_label(conn, name, label, version)
        console.print(f"{name}: {label} -> version {version}")

    with_connection(work)


@prompts_cli.command("promote")
def prompts_promote(run: str = typer.Option(..., help="the eval run that compared the candidate"),
                    label: str = typer.Option("production")) -> None:
    """Move LABEL to the run's candidate only if it was not worse beyond the run's margin (exit 1 if it was)."""
    import uuid

    from evals.ab.runner import promote

    promoted: list[bool] = []

    async def work(conn: Any) -> None:
        promoted.append(await promote(conn, run_id=uuid.UUID(run), label=label))

    with_connection(work)
    if not promoted[0]:
        console.print("refused: the candidate was worse than the baseline beyond the margin")
        raise typer.Exit(1)
    console.print(f"promoted: {label} now points at the candidate")


def _k(tokens: int) -> str:
    return f"{tokens / 1000:.1f}"


@cli.command("costs")
def costs_cmd(
    by: str = typer.Option("model,day", help="Group by any of model, day, agent, provider, outcome"),
    days: int = typer.Option(30, help="How many days back"),
) -> None:
    """LLM calls, tokens and USD from the decision log, as a table."""
    from decision_log.service import costs

    async def work(conn: Any) -> None:
        report = await costs(conn, by=by, days=days)
        # Fits an 80-column terminal: short headings, tokens in thousands, cache tokens in one column.
        table = Table(title=f"LLM costs, last {days} days", caption="tokens in thousands")
        for column in (*report.by, "calls", "in k", "out k", "cache k", "USD"):
            table.add_column(column, justify="left" if column in report.by else "right")
        for row in report.rows:
            table.add_row(*(str(getattr(row, d)) for d in report.by), str(row.calls), _k(row.input_tokens),
                          _k(row.output_tokens), _k(row.cache_write_tokens + row.cache_read_tokens),
                          f"{row.cost_usd:.4f}")
        Console().print(table)

    with_connection(work)
