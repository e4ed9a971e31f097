"""Search index and quality evaluations: `seiko rag ...` and `seiko evals ...`."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from app.cli._common import console, with_connection, with_database
from app.settings import get_settings

rag_cli = typer.Typer(help="The search index.", no_args_is_help=True)
evals_cli = typer.Typer(help="Quality evaluations.", no_args_is_help=True)


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

    with_connection(work)


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

    with_connection(work)


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
    from db.pool import open_pool
    from evals.ab.runner import load_results, run_suite
    from evals.ab.sandbox import sandbox_database
    from rag.embedder import Embedder

    settings = get_settings()
    full = build_gateway(settings)
    configured = [slot.provider.name for slot in full.slots] + ["offline"]
    chosen = [p.strip() for p in providers.split(",") if p.strip()] or configured[:1]

    def gateway_for(provider: str) -> Gateway:
        slots = [slot for slot in full.slots if slot.provider.name == provider]
        return Gateway(slots, prices=full.prices, budgets=full.budgets, limits=full.limits, clock=full.clock)

    async def work(url: str) -> None:
        embedder = Embedder(settings.embedding_model, backend=settings.embedding_backend) if suite == "shopper" \
            else None
        store = await open_pool(url, min_size=1, max_size=2, name="seiko-evals")
        try:
            async with sandbox_database(url, policy=settings.reorder_policy, embedder=embedder) as sandbox:
                with Progress(console=console) as bar:
                    task = bar.add_task(f"{suite} evals", total=None)
                    run_id = await run_suite(
                        store, sandbox=sandbox, suite=suite, gateway_for=gateway_for, providers=chosen,
                        baseline=baseline, candidate=candidate, repetitions=repetitions, margin=margin,
                        policy=settings.reorder_policy, embedder=embedder,
                        progress=lambda done, total: bar.update(task, completed=done, total=total))
            async with store.connection() as conn:
                run, _ = await load_results(conn, run_id)
        finally:
            await store.close()
        report = settings.data_dir / "reports" / f"eval-{run_id}.html"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(run["report_html"])
        console.print(f"run {run_id}: {run['candidate']} - {run['baseline']} = {run['mean_diff']:+.3f} "
                      f"[{run['diff_low']:+.3f}, {run['diff_high']:+.3f}], p = {run['p_value']:.3f}; "
                      f"{'not worse' if run['not_worse'] else 'WORSE'} (margin {margin})")
        console.print(f"report: {report}  (also GET /api/v1/ops/evals/{run_id}/report)")

    with_database(work)


@evals_cli.command("assistant")
def evals_assistant() -> None:
    """The shopper assistant's suite (evals/cases/assistant.yaml) against the configured provider chain, in a
    sandbox database: intent, relevance and grounding per kind of question."""
    from rich.table import Table

    from app.agents import close_agents, open_agents
    from app.llm import build_gateway, build_tracer
    from evals.ab.sandbox import sandbox_database
    from evals.assistant.suite import run_suite, summary
    from rag.embedder import Embedder

    settings = get_settings()

    async def work(url: str) -> None:
        embedder = Embedder(settings.embedding_model, backend=settings.embedding_backend)
        agents = await open_agents(settings, url, gateway=build_gateway(settings), tracer=build_tracer(settings))
        try:
            async with sandbox_database(url, policy=settings.reorder_policy, embedder=embedder) as sandbox:
                async with sandbox.connection() as conn:
                    from prompts.registry import PromptRegistry
                    await PromptRegistry().sync_from_files(conn)
                results = await run_suite(agents.shopper, sandbox, embedder)
        finally:
            await close_agents(agents)
        table = Table(title="Shopper assistant suite")
        for column in ("kind", "cases", "intent", "relevance", "grounding", "passed"):
            table.add_column(column, justify="left" if column == "kind" else "right")
        for kind, row in summary(results).items():
            table.add_row(kind, str(int(row["cases"])), *(f"{row[k]:.2f}" for k in
                                                          ("intent", "relevance", "grounding", "passed")))
        Console().print(table)
        for r in results:
            if not r.passed:
                console.print(f"[yellow]{r.case.id}[/]: " + "; ".join(s.why for s in r.scores if not s.passed))

    with_database(work)
