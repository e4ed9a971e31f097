"""Search latency at catalog size and at 100,000 synthetic watches; HNSW build time and recall.

    .venv/bin/python bench/search_bench.py [--watches 100000] [--vectors 100] [--latent-dims 40]

Runs on an embedded PostgreSQL in a temp dir (never DATABASE_URL: it bulk-loads rows), prepared as
`seiko serve` does and indexed with the real embedder. Measures:

1. catalog size: `rag.retriever.search` latency (hybrid and lexical) over the labelled queries;
2. at `--watches` synthetic variants of the seed watches (new references, random price, size and
   dial colour; the trigger fills search_document/search_tsv) with seeded random unit vectors:
   load time with the HNSW index dropped, then the time to build it again
   (`rag.repo.ensure_vector_index`, the migration's definition); latency of
   `rag.repo.vector_candidates` with no filter and with selective filters (how many of the 50 rows
   asked for come back: iterative scans must keep a narrow filter fed), and of hybrid `search`;
   recall@10 of the HNSW scan against exact search (`enable_indexscan = off`) over `--vectors`
   random query vectors, and EXPLAIN ANALYZE of the project's own vector query.

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
from evals.search.harness import load_cases
from rag import repo
from rag.embedder import Embedder
from rag.indexer import index_missing
from rag.query_parser import parse_query
from rag.retriever import CANDIDATES, Mode, search, where_clause

DIMS = 384
# About 6 %, 0.8 % and 0.2 % of the synthetic rows (prices are the seed's times 0.5 to 1.5).
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


def cuts(samples: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(samples, n=100)
    return q[49], q[94]


async def timed(calls: Sequence[Callable[..., Awaitable[Any]]]) -> tuple[list[float], list[Any]]:
    latencies, outputs = [], []
    for call in calls:
        started = time.perf_counter()
        outputs.append(await call())
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, outputs


class Explaining:
    """Stands in for a connection: runs the project's own SELECT under EXPLAIN ANALYZE, keeps the plan."""

    def __init__(self, conn: Conn) -> None:
        self.conn, self.plan = conn, ""

    def transaction(self) -> Any:
        return self.conn.transaction()

    async def execute(self, query: Any, params: Any = None) -> Any:
        if not isinstance(query, sql.Composable):
            return await self.conn.execute(query, params)
        cur = await self.conn.execute(sql.SQL("EXPLAIN (ANALYZE, COSTS OFF) ") + query, params)
        lines = [str(next(iter(row.values()))).strip() for row in await cur.fetchall()]
        scans = [line for line in lines if " on search_embeddings" in line]
        self.plan = f"{scans[0] if scans else lines[0]}  |  {lines[-1]}"
        return self

    async def fetchall(self) -> list[Any]:
        return []


def unit_vectors(rng: np.random.Generator, n: int, basis: NDArray[np.float64] | None) -> NDArray[np.float32]:
    """Seeded random unit vectors: isotropic (basis None), or Gaussian in a random low-dimensional
    subspace (basis: DIMS x latent), which is closer to how real sentence embeddings spread."""
    vectors = rng.standard_normal((n, DIMS)) if basis is None else rng.standard_normal((n, basis.shape[1])) @ basis.T
    unit: NDArray[np.float32] = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return unit


async def load(conn: Conn, url: str, n: int, model: str, basis: NDArray[np.float64] | None) -> dict[str, float]:
    """Synthetic watches, their stock and random vectors, with the HNSW index dropped first."""
    seed_count = int((await (await conn.execute("SELECT count(*) AS n FROM watches")).fetchone() or {"n": 0})["n"])
    await conn.execute("DROP INDEX search_embeddings_hnsw_384")
    figures, started = {}, time.perf_counter()
    await conn.execute("SELECT setseed(0.42)")
    await conn.execute(VARIANTS, {"copies": n // seed_count + 1, "n": n})
    await conn.execute("""INSERT INTO inventory (watch_id, available)
                          SELECT id, CASE WHEN random() < 0.1 THEN 0 ELSE 1 + floor(random() * 30)::int END
                          FROM watches WHERE id NOT IN (SELECT watch_id FROM inventory)""")
    figures["load watches + inventory s"] = time.perf_counter() - started
    cur = await conn.execute("SELECT id FROM watches WHERE reference LIKE '%%-%%' ORDER BY id")
    ids = [int(row["id"]) for row in await cur.fetchall()]
    vectors, started = unit_vectors(np.random.default_rng(7), len(ids), basis), time.perf_counter()
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as raw:
        await register_vector_async(raw)
        async with raw.cursor() as c, c.copy("COPY search_embeddings (kind, item_id, watch_id, model, dims, "
                                             "content_hash, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["text", "int8", "int8", "text", "int4", "text", "vector"])
            for watch_id, vector in zip(ids, vectors, strict=True):
                await copy.write_row(("watch", watch_id, watch_id, model, DIMS, "synthetic", vector))
    figures["load vectors (COPY) s"] = time.perf_counter() - started
    await conn.execute("VACUUM ANALYZE watches, inventory, search_embeddings")
    mem = (await (await conn.execute("SHOW maintenance_work_mem")).fetchone() or {}).get("maintenance_work_mem")
    started = time.perf_counter()
    await repo.ensure_vector_index(conn, dims=DIMS)
    figures[f"build HNSW index s (maintenance_work_mem {mem})"] = time.perf_counter() - started
    cur = await conn.execute("SELECT pg_relation_size('search_embeddings_hnsw_384') / 1048576.0 AS mb")
    figures["HNSW index size MB"] = float((await cur.fetchone() or {"mb": 0})["mb"])
    return figures


async def run(args: argparse.Namespace, url: str) -> None:
    await prepare_database(url, Settings(_env_file=None))
    embedder = Embedder()
    queries = [case.query for case in load_cases()]
    rows: list[tuple[str, str]] = []
    notices: list[str] = []
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
        await index_missing(conn, embedder)

        async def searches(mode: Mode) -> list[float]:
            calls = [lambda q=q: search(conn, embedder=embedder, query=q, mode=mode, limit=10) for q in queries]
            await timed(calls)  # warm-up: model, plans, caches
            return (await timed(calls))[0] + (await timed(calls))[0]

        count = (await (await conn.execute("SELECT count(*) AS n FROM watches")).fetchone() or {"n": 0})["n"]
        for mode in (Mode.hybrid, Mode.lexical):
            p50, p95 = cuts(await searches(mode))
            rows.append((f"{count} watches: search {mode} p50 / p95 ms", f"{p50:.1f} / {p95:.1f}"))
        print(f"catalog size done; loading {args.watches} synthetic watches ...", flush=True)

        basis = np.random.default_rng(3).standard_normal((DIMS, args.latent_dims)) if args.latent_dims else None

        def keep(diag: psycopg.errors.Diagnostic) -> None:
            notices.append(str(diag.message_primary))

        conn.add_notice_handler(keep)  # pgvector says when the graph outgrows maintenance_work_mem
        figures = await load(conn, url, args.watches, embedder.model_name, basis)
        conn.remove_notice_handler(keep)
        rows += [(name, f"{value:.1f}") for name, value in figures.items()]
        count = (await (await conn.execute("SELECT count(*) AS n FROM watches")).fetchone() or {"n": 0})["n"]
        rng = np.random.default_rng(11)
        probes = unit_vectors(rng, args.vectors, basis)

        async def vectors(text: str, limit: int, conn: Conn = conn) -> tuple[list[float], list[list[int]]]:
            where, params = where_clause(parse_query(text))
            calls = [lambda v=v: repo.vector_candidates(conn, kind="watch", model=embedder.model_name, vector=v,
                                                        where=where, params=params, limit=limit) for v in probes]
            latencies, outputs = await timed(calls)
            return latencies, [[int(r["watch_id"]) for r in out] for out in outputs]

        await vectors("", CANDIDATES)  # warm-up: the index into shared buffers
        for label, text in (("no filter", ""), *((f"'{f}'", f) for f in FILTERS)):
            where, params = where_clause(parse_query(text))
            cur = await conn.execute(sql.SQL("SELECT count(*) AS n FROM watches w JOIN inventory i "
                                             "ON i.watch_id = w.id WHERE {}").format(where), params)
            matching = int((await cur.fetchone() or {"n": 0})["n"])
            latencies, found = await vectors(text, CANDIDATES)
            p50, p95 = cuts(latencies)
            rows.append((f"{count} watches: vector_candidates {label} p50 / p95 ms", f"{p50:.1f} / {p95:.1f}"))
            rows.append((f"  rows returned (of {CANDIDATES} asked; {matching} match = {matching / count:.2%})",
                         f"mean {statistics.mean(map(len, found)):.1f}, min {min(map(len, found))}"))
            explaining = Explaining(conn)
            await repo.vector_candidates(cast(Conn, explaining), kind="watch", model=embedder.model_name,
                                         vector=probes[0], where=where, params=params, limit=CANDIDATES)
            rows.append(("  EXPLAIN ANALYZE", explaining.plan))
            if text == FILTERS[0] or not text:
                approx = (await vectors(text, 10))[1]
                await conn.execute("SET enable_indexscan = off")
                exact = (await vectors(text, 10))[1]
                await conn.execute("RESET enable_indexscan")
                recall = statistics.mean(len(set(a) & set(e)) / max(len(e), 1) for a, e in zip(approx, exact,
                                                                                               strict=True))
                rows.append((f"  HNSW recall@10 vs exact, {args.vectors} random vectors (ef_search 100)",
                             f"{recall:.3f}"))
        for mode in (Mode.hybrid, Mode.lexical):
            p50, p95 = cuts(await searches(mode))
            rows.append((f"{count} watches: search {mode} (labelled queries) p50 / p95 ms", f"{p50:.1f} / {p95:.1f}"))
    width = max(len(name) for name, _ in rows)
    print(f"\n{len(queries)} labelled queries x 2 after a warm-up; {os.cpu_count()} cores, "
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
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "pgdata") as pg:
        asyncio.run(run(args, pg.uri))


if __name__ == "__main__":
    main()
