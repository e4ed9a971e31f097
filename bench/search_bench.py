"""Search latency at catalog size and at 100,000 synthetic watches; HNSW build time and recall.

    .venv/bin/python bench/search_bench.py [--watches 100000] [--vectors 100] [--latent-dims 40]
                                           [--maintenance-work-mem 1GB]

Runs on an embedded PostgreSQL in a temp dir (never DATABASE_URL: it bulk-loads rows), prepared as
`seiko serve` does and indexed with the real embedder. Measures:

1. catalog size: `rag.retriever.search` latency (hybrid and lexical) over the labelled queries of
   both sets, query embeddings by the int8 ONNX export as the store serves them (`--query-backend`);
2. at `--watches` synthetic variants of the seed watches (new references, random price, size and
   dial colour; the trigger fills search_document/search_tsv) with seeded random unit vectors:
   load time with the HNSW index dropped, then the time to build it again
   (`rag.repo.ensure_vector_index`, the migration's definition); latency of
   `rag.repo.vector_candidates` with no filter and with selective filters (how many of the 50 rows
   asked for come back: iterative scans must keep a narrow filter fed), and of `search`;
   recall@10 of the project's HNSW query against exact search (`enable_indexscan = off`) over
   `--vectors` random query vectors at ef_search 100, 200 (what rag/repo.py sets) and 400, and
   EXPLAIN ANALYZE of the project's own vector query.

The vectors are seeded random unit vectors in 384 dimensions drawn from a random 40-dimensional
subspace (`--latent-dims`): real sentence embeddings spread over few directions (the participation
ratio of the catalog, review and query embeddings of all-MiniLM-L6-v2 is about 40). With
`--latent-dims 0` they are isotropic, which no text model produces and which is the hardest case
for HNSW recall. A figure-printing benchmark, not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import psycopg
import structlog
from numpy.typing import NDArray
from pgvector.psycopg import register_vector_async
from psycopg import sql
from psycopg.rows import dict_row

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.runtime import prepare_database
from app.settings import Settings
from db.embedded import EmbeddedPostgres
from db.pool import Conn
from evals.search.harness import SETS, load_cases
from rag import repo
from rag.embedder import Embedder
from rag.indexer import index_missing
from rag.onnx_embedder import OnnxQueryEmbedder
from rag.query_parser import parse_query
from rag.retriever import CANDIDATES, Mode, search, where_clause

DIMS = 384
# About 3 %, 0.8 % and 0.2 % of the synthetic rows (prices are the seed's times 0.5 to 1.5).
FILTERS = ("dress watch under $400", "pilot watch under $300", "pilot watch under $220")
VARIANTS = """
INSERT INTO watches (reference, name, collection, category, movement, caliber, case_diameter_mm, case_material,
                     water_resistance_m, crystal, dial_color, strap, features, price, description, supplier_id,
                     unit_cost, pack_size, min_order_qty)
SELECT w.reference || '-' || lpad(g::text, 5, '0'), w.name || ' variant ' || g, w.collection, w.category,
       w.movement, w.caliber, round(least(50, greatest(28, w.case_diameter_mm + random() * 6 - 3))::numeric, 1),
       w.case_material, w.water_resistance_m, w.crystal,
       (ARRAY['black', 'blue', 'white', 'green', 'silver', 'grey', 'brown', 'red', 'orange', 'champagne'])
           [1 + floor(random() * 10)::int],
       w.strap, w.features, round(w.price * (0.5 + random())::numeric, 2), w.description, w.supplier_id,
       w.unit_cost, w.pack_size, w.min_order_qty
FROM generate_series(1, %(copies)s) AS g CROSS JOIN (SELECT * FROM watches ORDER BY id) AS w
ORDER BY g, w.id LIMIT %(n)s"""


def cuts(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"{q[49]:.1f} / {q[94]:.1f}"


async def timed(calls: Sequence[Callable[..., Awaitable[Any]]]) -> tuple[list[float], list[Any]]:
    latencies, outputs = [], []
    for call in calls:
        started = time.perf_counter()
        outputs.append(await call())
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, outputs


class Proxy:
    """Stands in for the connection given to `rag.repo.vector_candidates`, so its own SQL runs with
    another hnsw.ef_search, or under EXPLAIN ANALYZE (the plan is kept; no rows come back)."""

    def __init__(self, conn: Conn, *, ef_search: int | None = None, explain: bool = False) -> None:
        self.conn, self.ef_search, self.explain, self.plan = conn, ef_search, explain, ""

    def transaction(self) -> Any:
        return self.conn.transaction()

    async def execute(self, query: Any, params: Any = None) -> Any:
        if isinstance(query, str) and "hnsw.ef_search" in query and self.ef_search:
            query = f"SET LOCAL hnsw.ef_search = {int(self.ef_search)}"
        if not (self.explain and isinstance(query, sql.Composable)):
            return await self.conn.execute(query, params)
        cur = await self.conn.execute(sql.SQL("EXPLAIN (ANALYZE, COSTS OFF) ") + query, params)
        lines = [str(next(iter(row.values()))).strip() for row in await cur.fetchall()]
        scans = [line for line in lines if " on search_embeddings" in line]
        self.plan = f"{scans[0] if scans else lines[0]}  |  {lines[-1]}"
        return self

    async def fetchall(self) -> list[Any]:
        return []


def unit_vectors(rng: np.random.Generator, n: int, basis: NDArray[np.float64] | None) -> NDArray[np.float32]:
    """Isotropic (basis None), or Gaussian in the subspace spanned by basis (DIMS x latent)."""
    vectors = rng.standard_normal((n, DIMS)) if basis is None else rng.standard_normal((n, basis.shape[1])) @ basis.T
    unit: NDArray[np.float32] = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return unit


async def one(conn: Conn, query: Any, params: Any = None) -> Any:
    row = await (await conn.execute(query, params)).fetchone()
    return next(iter(row.values())) if row else None


async def load(conn: Conn, url: str, args: argparse.Namespace, model: str,
               basis: NDArray[np.float64] | None) -> list[tuple[str, str]]:
    """Synthetic watches, their stock and vectors with the HNSW index dropped; then the index."""
    seeded = int(await one(conn, "SELECT count(*) FROM watches"))
    await conn.execute("DROP INDEX search_embeddings_hnsw_384_watch, search_embeddings_hnsw_384_review")
    started = time.perf_counter()
    await conn.execute("SELECT setseed(0.42)")
    await conn.execute(VARIANTS, {"copies": args.watches // seeded + 1, "n": args.watches})
    await conn.execute("""INSERT INTO inventory (watch_id, available)
                          SELECT id, CASE WHEN random() < 0.1 THEN 0 ELSE 1 + floor(random() * 30)::int END
                          FROM watches WHERE id NOT IN (SELECT watch_id FROM inventory)""")
    figures = [("load watches + inventory (trigger, GIN) s", f"{time.perf_counter() - started:.1f}")]
    ids = [int(r["id"]) for r in await (await conn.execute("SELECT id FROM watches WHERE id > %s ORDER BY id",
                                                            (seeded,))).fetchall()]
    vectors, started = unit_vectors(np.random.default_rng(7), len(ids), basis), time.perf_counter()
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as raw:
        await register_vector_async(raw)
        async with raw.cursor() as c, c.copy("COPY search_embeddings (kind, item_id, watch_id, model, dims, "
                                             "content_hash, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["text", "int8", "int8", "text", "int4", "text", "vector"])
            for watch_id, vector in zip(ids, vectors, strict=True):
                await copy.write_row(("watch", watch_id, watch_id, model, DIMS, "synthetic", vector))
    figures.append((f"load {len(ids)} vectors (binary COPY) s", f"{time.perf_counter() - started:.1f}"))
    await conn.execute("VACUUM ANALYZE watches, inventory, search_embeddings")
    if args.maintenance_work_mem:
        await conn.execute(sql.SQL("SET maintenance_work_mem = {}").format(args.maintenance_work_mem))
    memory = await one(conn, "SHOW maintenance_work_mem")
    workers = await one(conn, "SHOW max_parallel_maintenance_workers")
    started = time.perf_counter()
    await repo.ensure_vector_index(conn, dims=DIMS)
    figures.append((f"build HNSW index s (maintenance_work_mem {memory}, {workers} parallel workers)",
                    f"{time.perf_counter() - started:.1f}"))
    await conn.execute("RESET maintenance_work_mem")
    size = await one(conn, "SELECT pg_relation_size('search_embeddings_hnsw_384_watch') / 1048576.0")
    return [*figures, ("HNSW index size MB", f"{size:.0f}")]


async def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    settings = Settings(_env_file=None)
    await prepare_database(url, settings)
    # As the store runs: torch indexes, queries go through the int8 ONNX export (or torch, if asked).
    embedder = (OnnxQueryEmbedder(Embedder().model_name, cache_dir=tmp / "models")
                if args.query_backend == "onnx-int8" else Embedder())
    queries = [case.query for path in SETS.values() for case in load_cases(path)]
    rows: list[tuple[str, str]] = []
    notices: list[str] = []
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
        await index_missing(conn, embedder)

        async def searches(label: str) -> None:
            for mode in (Mode.hybrid, Mode.lexical):
                calls = [lambda q=q, m=mode: search(conn, embedder=embedder, query=q, mode=m, limit=10,
                                                    rates=settings.currency_rates, near_misses=True)
                         for q in queries]
                await timed(calls)  # warm-up: model, plans, caches
                rows.append((f"{label}: search {mode} p50 / p95 ms", cuts((await timed(calls))[0] +
                                                                         (await timed(calls))[0])))

        await searches(f"{await one(conn, 'SELECT count(*) FROM watches')} watches")
        print(f"catalog size done; loading {args.watches} synthetic watches ...", flush=True)
        basis = np.random.default_rng(3).standard_normal((DIMS, args.latent_dims)) if args.latent_dims else None

        def keep(diag: psycopg.errors.Diagnostic) -> None:
            notices.append(str(diag.message_primary))

        conn.add_notice_handler(keep)  # pgvector says when the graph outgrows maintenance_work_mem
        rows += await load(conn, url, args, embedder.model_name, basis)
        conn.remove_notice_handler(keep)
        count = int(await one(conn, "SELECT count(*) FROM watches"))
        probes = unit_vectors(np.random.default_rng(11), args.vectors, basis)

        async def vectors(text: str, limit: int, via: Conn | Proxy = conn) -> tuple[list[float], list[set[int]]]:
            where, params = where_clause(parse_query(text))
            calls = [lambda v=v: repo.vector_candidates(cast(Conn, via), kind="watch", model=embedder.model_name,
                                                        vector=v, where=where, params=params, limit=limit)
                     for v in probes]
            latencies, outputs = await timed(calls)
            return latencies, [{int(r["watch_id"]) for r in out} for out in outputs]

        def recall(approx: list[set[int]], exact: list[set[int]]) -> str:
            return f"{statistics.mean(len(a & e) / max(len(e), 1) for a, e in zip(approx, exact, strict=True)):.3f}"

        await vectors("", CANDIDATES)  # warm-up: the index into shared buffers
        for label, text in (("no filter", ""), *((f"'{f}'", f) for f in FILTERS)):
            where, params = where_clause(parse_query(text))
            matching = int(await one(conn, sql.SQL("SELECT count(*) FROM watches w JOIN inventory i "
                                                   "ON i.watch_id = w.id WHERE {}").format(where), params))
            latencies, found = await vectors(text, CANDIDATES)
            rows.append((f"{count} watches: vector_candidates {label} p50 / p95 ms", cuts(latencies)))
            rows.append((f"  rows returned of {CANDIDATES} ({matching} match = {matching / count:.2%})",
                         f"mean {statistics.mean(map(len, found)):.1f}, min {min(map(len, found))}"))
            explained = Proxy(conn, explain=True)
            await repo.vector_candidates(cast(Conn, explained), kind="watch", model=embedder.model_name,
                                         vector=probes[0], where=where, params=params, limit=CANDIDATES)
            rows.append(("  EXPLAIN ANALYZE (first vector)", explained.plan))
            if text in ("", FILTERS[0]):
                await conn.execute("SET enable_indexscan = off")
                exact_ms, exact = await vectors(text, 10)
                await conn.execute("RESET enable_indexscan")
                rows.append(("  exact search (enable_indexscan off) p50 / p95 ms", cuts(exact_ms)))
                for ef in (100, 200, 400) if not text else (100,):
                    ms, approx = await vectors(text, 10, Proxy(conn, ef_search=ef))
                    rows.append((f"  recall@10 vs exact, {args.vectors} vectors, ef_search {ef}"
                                 f"{' (the code)' if ef == 200 else ''}",
                                 f"{recall(approx, exact)}  (LIMIT 10 p50 / p95 {cuts(ms)} ms)"))
        await searches(f"{count} watches (labelled queries)")
    width = max(len(name) for name, _ in rows)
    spread = f"from a random {args.latent_dims}-dim subspace" if args.latent_dims else "isotropic"
    print(f"\n{len(queries)} labelled queries (both sets) x 2 after a warm-up, query embeddings by "
          f"{embedder.query_backend}; vectors {spread}; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for notice in dict.fromkeys(notices):
        print(f"server notice: {notice}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--watches", type=int, default=100_000, help="synthetic watches to add")
    parser.add_argument("--vectors", type=int, default=100, help="random query vectors for latency and recall")
    parser.add_argument("--latent-dims", type=int, default=40,
                        help="draw vectors from a random subspace this wide (0: isotropic in all 384)")
    parser.add_argument("--query-backend", choices=("onnx-int8", "torch"), default="onnx-int8",
                        help="what embeds the queries (the store's default is onnx-int8)")
    parser.add_argument("--maintenance-work-mem", default="1GB",
                        help="for the index build ('' keeps the server's, 64MB on the embedded one)")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "pgdata") as pg:
        asyncio.run(run(args, pg.uri, Path(tmp)))


if __name__ == "__main__":
    main()
