"""Operating the store: `seiko drill ...`, `seiko prompts ...` and `seiko costs`."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from app.cli._common import console, fail, with_connection
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


@prompts_cli.command("add")
def prompts_add(
    name: str = typer.Argument(..., help="an existing prompt, e.g. stock_agent_system (see `seiko prompts list`)"),
    file: str = typer.Argument(..., help="the template file, Jinja2 like prompts/templates/*.jinja2"),
    label: str = typer.Option("", help="point this label at the new version, e.g. candidate"),
) -> None:
    """Store FILE as a new version of prompt NAME (the same content again reuses its version)."""
    from pathlib import Path

    from prompts.registry import PromptRegistry

    path = Path(file)
    if not path.is_file():
        fail(f"no such file: {file}")
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")

    async def work(conn: Any) -> None:
        registry = PromptRegistry()
        await registry.sync_from_files(conn)  # a fresh store has its file versions before any candidate
        known = sorted(p.name for p in await registry.list_prompts(conn))
        if name not in known:
            fail(f"no prompt named {name!r}; known prompts: {', '.join(known)}")
        version = await registry.create_version(conn, name, source)
        console.print(f"{name}: version {version.version} ({version.content_hash[:12]}) from {file}")
        if label:
            await registry.set_label(conn, name, label, version.version)
            console.print(f"{name}: {label} -> version {version.version}")

    with_connection(work)


@prompts_cli.command("promote")
def prompts_promote(run: str = typer.Option(..., help="the eval run that compared the candidate, or `latest`"),
                    label: str = typer.Option("production")) -> None:
    """Move LABEL to the run's candidate only when the run shows it is not worse beyond its margin;
    otherwise say why (too little evidence, non-inferiority not shown, worse) and exit with status 1."""
    import uuid

    from evals.ab import repo
    from evals.ab.runner import promote

    if run != "latest":
        try:
            uuid.UUID(run)
        except ValueError:
            fail(f"not a run id: {run!r} (`seiko evals run` prints it; or use --run latest)")

    async def work(conn: Any) -> None:
        if run == "latest":
            runs = await repo.list_runs(conn, limit=1)
            if not runs:
                fail("no eval run yet: run `seiko evals run` first")
            run_id = runs[0]["id"]
        else:
            run_id = uuid.UUID(run)
        verdict = await promote(conn, run_id=run_id, label=label)
        if not verdict.promotable:
            fail(f"refused to promote run {run_id} ({verdict.status}): {verdict.reason}")
        console.print(f"promoted run {run_id}: {label} now points at the candidate ({verdict.reason})",
                      markup=False, soft_wrap=True)

    with_connection(work)


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
