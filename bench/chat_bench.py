"""Shopper assistant latency: time to the first SSE byte and to the full answer, offline and with the
fake Claude at a fixed model latency, and how long retrieval and context building take before the
model is first called.

    python bench/chat_bench.py [--questions 30] [--model-latency 0.4]

Runs the real app in-process (ASGI) on an embedded PostgreSQL with the packaged embedding model.
Figures, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.runtime import build_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from evals.search.harness import load_cases  # noqa: E402
from tests.fakes.anthropic_server import AnthropicFake, Reply, running_anthropic_fake  # noqa: E402


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] * 1000


async def measure(settings: Settings, questions: list[str], fake: AnthropicFake | None) -> dict[str, list[float]]:
    app = build_app(settings)
    out: dict[str, list[float]] = {"first": [], "full": [], "before_model": []}
    async with app.router.lifespan_context(app):
        await app.state.embedder.warm_up()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=60) as c:
            for i, question in enumerate(questions):
                if fake is not None:
                    fake.script(Reply.text_reply(f"You could look at the SRPE93K1 for question {i}."))
                started = time.perf_counter()
                first = None
                async with c.stream("POST", "/api/v1/chat", json={"message": question},
                                    headers={"Accept": "text/event-stream"}) as r:
                    async for _ in r.aiter_bytes():
                        first = first or time.perf_counter()
                done = time.perf_counter()
                if i < 3:
                    continue  # warm-up
                out["first"].append((first or done) - started)
                out["full"].append(done - started)
                if fake is not None:
                    out["before_model"].append(fake.arrivals[-1] - started)
    return out


def report(name: str, figures: dict[str, list[float]]) -> None:
    line = (f"{name:<26} first byte p50 {pct(figures['first'], 50):7.1f} ms p95 {pct(figures['first'], 95):7.1f}"
            f" | full p50 {pct(figures['full'], 50):7.1f} ms p95 {pct(figures['full'], 95):7.1f}")
    if figures["before_model"]:
        line += (f" | before the model p50 {pct(figures['before_model'], 50):6.1f} ms"
                 f" p95 {pct(figures['before_model'], 95):6.1f}")
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--model-latency", type=float, default=0.4)
    args = parser.parse_args()
    questions = [c.query for c in load_cases()][: args.questions + 3]
    base = {"SEIKO_INDEX_ON_START": True, "SEIKO_WORKER": False, "SEIKO_SCHEDULER": False,
            "SEIKO_RATE_LIMIT": "1000000/minute", "SEIKO_RATE_LIMIT_CHAT": "1000000/minute",
            "SEIKO_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as tmp:
        offline = Settings(_env_file=None, SEIKO_DATA_DIR=tmp, **base)  # type: ignore[arg-type]
        report("offline provider", asyncio.run(measure(offline, questions, None)))
        with running_anthropic_fake() as fake:
            fake.latency_s = args.model_latency
            claude = Settings(_env_file=None, SEIKO_DATA_DIR=tmp, ANTHROPIC_API_KEY="test",  # type: ignore[arg-type]
                              ANTHROPIC_BASE_URL=fake.url, **base)
            report(f"fake Claude ({args.model_latency * 1000:.0f} ms)", asyncio.run(measure(claude, questions, fake)))
    print("(goal: retrieval and context building before the model is called under 100 ms)")


if __name__ == "__main__":
    main()
