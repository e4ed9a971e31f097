"""Alertmanager webhook under a burst: 1,000 deliveries of 50 distinct alerts at once.

    python bench/webhook_bench.py [--deliveries 1000] [--alerts 50] [--concurrency 50]

Starts `seiko serve` (embedded PostgreSQL in a temporary folder, no LLM keys: the offline policy) with
its in-process worker, so the stock-agent runs the burst queues execute in the same process while the
deliveries are still arriving. Fires the deliveries concurrently over loopback, and prints
acknowledgement latency p50/p99 and whether every delivery was stored and each alert started exactly
one stock-agent run (jobs in procrastinate's queue, decisions in the log). Figures, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import psycopg

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def delivery(fingerprint: str, starts: datetime) -> dict[str, Any]:
    return {"version": "4", "groupKey": "bench", "truncatedAlerts": 0, "status": "firing", "receiver": "bench",
            "alerts": [{"status": "firing", "fingerprint": fingerprint, "startsAt": starts.isoformat(),
                        "labels": {"alertname": "WatchesLowStock", "alert_type": "stock"},
                        "annotations": {"summary": "bench"}}]}


async def burst(base: str, deliveries: int, alerts: int, concurrency: int) -> tuple[list[float], int]:
    starts = datetime.now(UTC) - timedelta(minutes=5)
    bodies = [delivery(f"bench{i % alerts:04d}", starts) for i in range(deliveries)]
    random.Random(7).shuffle(bodies)
    latencies: list[float] = []
    failures = 0
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session:

        async def post(body: dict[str, Any]) -> None:
            nonlocal failures
            async with gate:
                started = time.perf_counter()
                async with session.post(f"{base}/api/v1/alerts/alertmanager", json=body) as r:
                    await r.read()
                    latencies.append(time.perf_counter() - started)
                    failures += r.status != 202

        await asyncio.gather(*(post(b) for b in bodies))
    return latencies, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--alerts", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--no-worker", action="store_true",
                        help="serve without the in-process worker: the intake's own cost, no agent runs beside it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "ANTHROPIC", "OLLAMA"))}
        if args.no_worker:
            env["SEIKO_WORKER"] = "false"
        env.update(SEIKO_DATA_DIR=tmp, ALERTMANAGER_WEBHOOK_TOKEN=TOKEN, SEIKO_INDEX_ON_START="false",
                   SEIKO_RATE_LIMIT="1000000/minute", SEIKO_LOG_LEVEL="WARNING", SEIKO_METRICS_PORT=str(free_port()),
                   # this checkout's code, not whichever copy is installed in the environment
                   PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p))
        server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], cwd=tmp, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.1)
            time.sleep(1)
            began = time.perf_counter()
            latencies, failures = asyncio.run(burst(base, args.deliveries, args.alerts, args.concurrency))
            elapsed = time.perf_counter() - began
            burst_end = datetime.now(UTC)
            url = f"postgresql://postgres:@/postgres?host={Path(tmp).resolve() / 'pgdata'}"
            deadline = time.time() + (0 if args.no_worker else 300)
            with psycopg.connect(url) as conn:
                while time.time() < deadline:
                    queued = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                                          ).fetchone()
                    if queued and queued[0] == 0:
                        break
                    time.sleep(0.5)
                jobs = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'stock_agent'"
                                    ).fetchone()
                states = dict(conn.execute("SELECT status::text, count(*) FROM procrastinate_jobs "
                                           "GROUP BY 1").fetchall())
                overlap = conn.execute(
                    """SELECT count(*) FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id
                       WHERE e.type = 'started' AND e.at < %s""", (burst_end,)).fetchone()
                runs = conn.execute("SELECT count(*) FROM decisions WHERE trigger LIKE 'alert:bench%'").fetchone()
                stored = conn.execute("SELECT count(*), coalesce(sum(received_count), 0) FROM alerts").fetchone()
        finally:
            server.send_signal(2)
            server.wait(timeout=60)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"\n{args.deliveries} deliveries of {args.alerts} distinct alerts, concurrency {args.concurrency}")
    print(f"acknowledged 202: {len(latencies) - failures}/{args.deliveries} in {elapsed:.2f} s "
          f"({len(latencies) / elapsed:.0f}/s)")
    print(f"ack latency p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms (goal p99 < 50 ms)")
    assert jobs is not None and runs is not None and stored is not None and overlap is not None
    print(f"alerts stored: {stored[0]} (deliveries counted: {stored[1]}), jobs queued: {jobs[0]}, "
          f"stock-agent runs: {runs[0]} (want {args.alerts} of each, and {args.deliveries} counted)")
    print(f"job states: {states}; runs started while deliveries were still arriving: {overlap[0]}")


if __name__ == "__main__":
    main()
