"""Catalog read benchmark: the real app against a bare Starlette baseline, same SQL, same pool.

    python bench/catalog_bench.py [--seconds 10] [--concurrency 50]

Starts an embedded PostgreSQL (or uses DATABASE_URL), prepares it as `seiko serve` does, then
serves (a) the product's app and (b) a baseline Starlette app that calls the same repository
functions through the same pool, each in its own uvicorn process on loopback, and drives both with
`concurrency` keep-alive clients. Prints p50/p95/p99 latency and requests/s per endpoint. A
figure-printing benchmark, not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def baseline_app(url: str) -> Any:
    """The same SQL through the same pool, with none of the product's layers."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from commerce.catalog import repo
    from commerce.catalog.models import WatchFilters
    from db.pool import open_pool

    def dump(value: Any) -> Response:
        return Response(json.dumps(value, default=str), media_type="application/json")

    async def watches(request: Request) -> Response:
        async with request.app.state.pool.connection() as conn:
            rows, total = await repo.list_watches(conn, filters=WatchFilters(), limit=20, offset=0)
        return dump({"items": rows, "total": total, "limit": 20, "offset": 0})

    async def watch(request: Request) -> Response:
        async with request.app.state.pool.connection() as conn:
            row = await repo.get_watch_detail(conn, reference=request.path_params["reference"])
        return dump(row)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        app.state.pool = await open_pool(url, min_size=2, max_size=10)
        yield
        await app.state.pool.close()

    return Starlette(routes=[Route("/api/v1/watches", watches), Route("/api/v1/watches/{reference}", watch)],
                     lifespan=lifespan)


def serve(kind: str, url: str, port: int) -> None:
    import uvicorn

    if kind == "app":
        from app.runtime import build_app
        from app.settings import Settings

        app = build_app(Settings(_env_file=None, DATABASE_URL=url, SEIKO_RATE_LIMIT="1000000/minute",
                                 SEIKO_SEED=False, SEIKO_DB_POOL_MAX=10,
                                 # the index is built before; loading the model here would compete
                                 SEIKO_INDEX_ON_START=False))  # type: ignore[call-arg]
    else:
        app = baseline_app(url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(base: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            try:
                async with session.get(f"{base}/api/v1/watches") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{base} never became ready")


async def load(url: str, *, seconds: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.get(url) as r:
                    await r.read()
                    if r.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / elapsed, "p50": cuts[49] * 1000, "p95": cuts[94] * 1000,
            "p99": cuts[98] * 1000, "errors": errors, "requests": len(latencies)}


async def run(args: argparse.Namespace, url: str) -> None:
    reference = "SRPD55K1"
    results: dict[tuple[str, str], dict[str, float]] = {}
    for kind in ("baseline", "app"):
        port = free_port()
        # Popen returns at once; the server runs beside this event loop.
        proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--db", url, "--port", str(port)],  # noqa: ASYNC220
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            await wait_ready(base)
            for name, path in (("list", "/api/v1/watches"), ("detail", f"/api/v1/watches/{reference}")):
                await load(base + path, seconds=2, concurrency=args.concurrency)  # warm-up
                results[(kind, name)] = await load(base + path, seconds=args.seconds, concurrency=args.concurrency)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"\nconcurrency {args.concurrency}, {args.seconds:.0f} s per run, loopback, {os.cpu_count()} cores")
    print(f"{'endpoint':<8} {'server':<9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name in ("list", "detail"):
        for kind in ("baseline", "app"):
            r = results[(kind, name)]
            print(f"{name:<8} {kind:<9} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} "
                  f"{int(r['errors']):>7}")
        ratio = results[("app", name)]["rps"] / results[("baseline", name)]["rps"]
        print(f"{name:<8} app/baseline throughput: {ratio:.2f}  (goal >= 0.70; p95 goal < 25 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve", choices=["app", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.db, args.port)
        return

    from app.runtime import prepare_database
    from app.settings import Settings
    from db.embedded import EmbeddedPostgres

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
        asyncio.run(prepare_database(url, settings))
        asyncio.run(run(args, url))
        return
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "pgdata") as pg:
        asyncio.run(prepare_database(pg.uri, settings))
        asyncio.run(run(args, pg.uri))


if __name__ == "__main__":
    main()
