"""The store while the model is slow: catalog latency before and during a crowd of chats waiting on a
Claude that takes seconds to answer.

    python bench/slow_model_bench.py [--chats 30] [--model-latency 4] [--seconds 8]

`seiko serve` runs as its own process (embedded PostgreSQL in a temporary folder), talking to the
local Anthropic fake, which waits `--model-latency` seconds before every answer. A client reads the
catalog for `--seconds` with no chats, then again while `--chats` shoppers ask questions at once
(per-IP limits raised, as behind an office proxy). Prints p50/p95 of the catalog in both phases,
errors, and how many chats were answered. Figures, not a test; the goal is a p95 during the chats
within 3x (+20 ms) of the p95 before them, 0 errors, every chat answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.anthropic_server import AnthropicFake, running_anthropic_fake  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] * 1000


def start_server(tmp: str, fake: AnthropicFake) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "SEIKO_DATA_DIR": tmp, "ANTHROPIC_API_KEY": "test", "ANTHROPIC_BASE_URL": fake.url,
           "SEIKO_RATE_LIMIT": "1000000/minute", "SEIKO_RATE_LIMIT_CHAT": "1000000/minute",
           "SEIKO_LOG_LEVEL": "WARNING", "SEIKO_SCHEDULER": "false", "SEIKO_WORKER": "false",
           "HF_HUB_OFFLINE": "1"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("seiko serve did not become ready")


async def read_catalog(client: httpx.AsyncClient, until: asyncio.Event | float) -> tuple[list[float], int]:
    """Catalog pages one after another, as a browsing shopper would, until the time or the event."""
    times, errors, offset = [], 0, 0
    while not (until.is_set() if isinstance(until, asyncio.Event) else time.perf_counter() >= until):
        started = time.perf_counter()
        try:
            r = await client.get("/api/v1/watches", params={"limit": 20, "offset": offset % 40})
            errors += r.status_code != 200
        except httpx.HTTPError:
            errors += 1
        times.append(time.perf_counter() - started)
        offset += 20
        await asyncio.sleep(0.02)
    return times, errors


async def measure(url: str, chats: int, seconds: float) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        # Warm up: the embedding model, the pools, the prompt cache of the templates.
        await client.post("/api/v1/chat", json={"message": "warm up: an automatic diver"})
        await read_catalog(client, time.perf_counter() + 2)
        before, before_errors = await read_catalog(client, time.perf_counter() + seconds)

        done = asyncio.Event()

        async def one_chat(i: int) -> int:
            async with httpx.AsyncClient(base_url=url, timeout=120) as own:
                r = await own.post("/api/v1/chat", json={"message": f"a tough dive watch under $600 ({i})"})
                return r.status_code

        async def crowd() -> list[int]:
            try:
                return await asyncio.gather(*(one_chat(i) for i in range(chats)))
            finally:
                done.set()

        crowd_task = asyncio.create_task(crowd())
        await asyncio.sleep(0.5)  # the crowd is inside its model calls
        during, during_errors = await read_catalog(client, done)
        statuses = await crowd_task
    answered = sum(s == 200 for s in statuses)
    print(f"catalog before the chats: p50 {pct(before, 50):6.1f} ms  p95 {pct(before, 95):6.1f} ms  "
          f"({len(before)} requests, {before_errors} errors)")
    print(f"catalog during {chats} chats: p50 {pct(during, 50):6.1f} ms  p95 {pct(during, 95):6.1f} ms  "
          f"({len(during)} requests, {during_errors} errors)")
    print(f"p95 ratio during/before: {pct(during, 95) / pct(before, 95):.2f}x "
          f"(goal <= 3x + 20 ms: {pct(during, 95) <= 3 * pct(before, 95) + 20})")
    print(f"chats answered: {answered}/{chats}; other statuses: {sorted(s for s in statuses if s != 200)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=30)
    parser.add_argument("--model-latency", type=float, default=4.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_anthropic_fake() as fake:
        fake.latency_s = args.model_latency
        server, url = start_server(tmp, fake)
        try:
            asyncio.run(measure(url, args.chats, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=60)
        print(f"model requests seen: {len(fake.requests)} (each waited {args.model_latency:.1f} s)")


if __name__ == "__main__":
    main()
