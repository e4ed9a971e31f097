"""Search index and quality evaluations: `seiko rag ...` and `seiko evals ...`."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from app.cli._common import console, with_connection
from app.settings import get_settings

rag_cli = typer.Typer(help="The search index.", no_args_is_help=True)
evals_cli = typer.Typer(help="Quality evaluations.", no_args_is_help=True)


@rag_cli.command("index")
def rag_index() -> None:
    """Embed every watch and review whose text changed since it was last embedded."""
    from rich.progress import Progress

    from app.runtime import build_embedder
    from rag.indexer import index_missing

    settings = get_settings()

    async def work(conn: Any) -> None:
        embedder = build_embedder(settings)
        with Progress(console=console) as bar:
            task = bar.add_task("embedding", total=None)
            report = await index_missing(conn, embedder,
                                         progress=lambda done, total: bar.update(task, completed=done, total=total))
        console.print(f"embedded {report.embedded}, unchanged {report.unchanged} ({embedder.model_name})")

    with_connection(work)


@rag_cli.command("export-onnx")
def rag_export_onnx() -> None:
    """Export the embedding model to int8 ONNX for query embeddings (otherwise done on first start)."""
    from app.runtime import build_embedder
    from rag.onnx_embedder import OnnxQueryEmbedder

    embedder = build_embedder(get_settings())
    if not isinstance(embedder, OnnxQueryEmbedder):
        console.print("queries are embedded by the indexing model (SEIKO_QUERY_EMBEDDING_BACKEND=torch)")
        return
    console.print(f"query model ready: {embedder.prepare()}")


@evals_cli.command("search")
def evals_search() -> None:
    """NDCG@10 and recall@10 of each search mode on each labelled set in evals/search/."""
    from app.runtime import build_embedder
    from evals.search.harness import SETS, K, evaluate, load_cases
    from rag.indexer import index_missing
    from rag.retriever import Mode

    settings = get_settings()

    async def work(conn: Any) -> None:
        embedder = build_embedder(settings)
        await index_missing(conn, embedder)
        for name, path in SETS.items():
            cases = load_cases(path)
            scores = [await evaluate(conn, embedder, cases, mode, rates=settings.currency_rates)
                      for mode in (Mode.lexical, Mode.vector, Mode.hybrid)]
            kinds = sorted(scores[0].by_kind)
            table = Table(title=f"Search quality, {name} set: {len(cases)} labelled queries "
                                f"({embedder.model_name}, queries by {embedder.query_backend})")
            for column in ("mode", f"NDCG@{K}", f"recall@{K}", *(f"NDCG {k}" for k in kinds)):
                table.add_column(column, justify="right")
            for s in scores:
                table.add_row(s.mode.value, f"{s.ndcg:.3f}", f"{s.recall:.3f}",
                              *(f"{s.by_kind[k]:.3f}" for k in kinds))
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

    with_connection(work)
