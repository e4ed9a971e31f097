"""Search index and quality evaluations: `seiko rag ...` and `seiko evals ...`."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from app.cli._common import console, fail, with_connection, with_database
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


def _report_line(run: dict[str, Any], reason: str, status: str) -> str:
    low, high = run["diff_low"], run["diff_high"]
    interval = f"[{low:+.3f}, {high:+.3f}]" if low is not None and high is not None else "[no interval]"
    return (f"run {run['id']}: {run['candidate']} - {run['baseline']} = {run['mean_diff']:+.3f} {interval}, "
            f"p = {run['p_value']:.3f}; {status}: {reason}")


def _write_report(run: dict[str, Any]) -> str:
    report = get_settings().data_dir / "reports" / f"eval-{run['id']}.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(run["report_html"])
    return str(report)


@evals_cli.command("run")
def evals_run(
    suite: str = typer.Option("stock", help="stock or shopper"),
    baseline: str = typer.Option("production", help="prompt label or version number"),
    candidate: str = typer.Option("candidate", help="prompt label or version number"),
    repetitions: int = typer.Option(3, min=1, max=50),
    providers: str = typer.Option("", help="comma-separated: claude, ollama, offline (default: those configured)"),
    margin: float = typer.Option(0.05, min=0.001, max=1.0, help="how much worse the candidate may be and still pass"),
) -> None:
    """Run the suite's cases against two prompt variants, store the results, write the HTML report."""
    from rich.progress import Progress

    from agent.gateway import Gateway
    from agent.shopper import PROMPT as SHOPPER_PROMPT
    from agent.stock_agent import PROMPT as STOCK_PROMPT
    from app.llm import build_gateway
    from db.pool import open_pool
    from evals.ab.runner import run_suite, verdict_of
    from evals.ab.sandbox import sandbox_database
    from prompts.errors import PromptNotFound
    from prompts.registry import PromptRegistry
    from rag.embedder import Embedder

    if suite not in ("stock", "shopper"):
        fail(f"no suite {suite!r}: use --suite stock or --suite shopper")
    settings = get_settings()
    full = build_gateway(settings)
    configured = [slot.provider.name for slot in full.slots] + ["offline"]
    chosen = [p.strip() for p in providers.split(",") if p.strip()] or configured[:1]
    unknown = [p for p in chosen if p not in configured]
    if unknown:
        fail(f"provider(s) {', '.join(unknown)} not configured here; available: {', '.join(configured)}")
    prompt = STOCK_PROMPT if suite == "stock" else SHOPPER_PROMPT

    def gateway_for(provider: str) -> Gateway:
        slots = [slot for slot in full.slots if slot.provider.name == provider]
        return Gateway(slots, prices=full.prices, budgets=full.budgets, limits=full.limits, clock=full.clock)

    async def work(url: str) -> None:
        store = await open_pool(url, min_size=1, max_size=2, name="seiko-evals")
        try:
            async with store.connection() as conn:  # say what is missing before building a sandbox
                for variant in (baseline, candidate):
                    try:
                        await PromptRegistry().get(conn, prompt, **(
                            {"version": int(variant)} if variant.isdigit() else {"label": variant}))
                    except PromptNotFound as exc:
                        fail(f"{exc.detail}. Create one with: seiko prompts add {prompt} FILE --label "
                             f"{variant if not variant.isdigit() else 'candidate'}")
            embedder = Embedder(settings.embedding_model, backend=settings.embedding_backend) \
                if suite == "shopper" else None
            async with sandbox_database(url, policy=settings.reorder_policy, embedder=embedder) as sandbox:
                with Progress(console=console) as bar:
                    task = bar.add_task(f"{suite} evals", total=None)
                    run_id = await run_suite(
                        store, sandbox=sandbox, suite=suite, gateway_for=gateway_for, providers=chosen,
                        baseline=baseline, candidate=candidate, repetitions=repetitions, margin=margin,
                        policy=settings.reorder_policy, embedder=embedder,
                        progress=lambda done, total: bar.update(task, completed=done, total=total))
            async with store.connection() as conn:
                run, verdict = await verdict_of(conn, run_id)
        finally:
            await store.close()
        console.print(_report_line(run, verdict.reason, verdict.status), markup=False, highlight=False, soft_wrap=True)
        console.print(f"report: {_write_report(run)}  (also GET /api/v1/ops/evals/{run_id}/report)", markup=False,
                      soft_wrap=True)

    with_database(work)


@evals_cli.command("rescore")
def evals_rescore(run: str = typer.Argument(..., help="the eval run to score again")) -> None:
    """Score a stored run again with the current scorers from its recorded outputs (no model is called),
    and judge it again."""
    import uuid

    from evals.ab.runner import rescore, verdict_of

    try:
        run_id = uuid.UUID(run)
    except ValueError:
        fail(f"not a run id: {run!r}")

    async def work(conn: Any) -> None:
        rescored = await rescore(conn, run_id)
        stored, verdict = await verdict_of(conn, run_id)
        console.print(f"rescored {len(rescored)} results", markup=False)
        console.print(_report_line(stored, verdict.reason, verdict.status), markup=False, highlight=False,
                      soft_wrap=True)
        console.print(f"report: {_write_report(stored)}", markup=False, soft_wrap=True)

    with_connection(work)


@evals_cli.command("assistant")
def evals_assistant() -> None:
    """The shopper assistant's suite (evals/cases/assistant.yaml) against the configured provider chain, in a
    sandbox database: intent, relevance and grounding per kind of question."""
    from rich.table import Table

    from app.agents import close_agents, open_agents
    from app.llm import build_gateway, build_tracer
    from evals.ab.sandbox import sandbox_database
    from evals.assistant.suite import run_suite, summary
    from prompts.registry import PromptRegistry
    from rag.embedder import Embedder

    settings = get_settings()

    async def work(url: str) -> None:
        embedder = Embedder(settings.embedding_model, backend=settings.embedding_backend)
        agents = await open_agents(settings, url, gateway=build_gateway(settings), tracer=build_tracer(settings))
        try:
            async with sandbox_database(url, policy=settings.reorder_policy, embedder=embedder) as sandbox:
                async with sandbox.connection() as conn:
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
