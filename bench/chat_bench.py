"""Shopper assistant latency: time to the first streamed words and to the full answer, offline and with
the fake Claude writing at a model's pace, and how long retrieval and context building take before the
model is first called.

    python bench/chat_bench.py [--questions 30] [--model-latency 0.4] [--model-pace 0.02]

Serves the real app with uvicorn on loopback, on an embedded PostgreSQL with the packaged embedding
model. Figures, not a test.
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

from app.settings import Settings  # noqa: E402
from evals.search.harness import load_cases  # noqa: E402
from tests.fakes.anthropic_server import AnthropicFake, Reply, running_anthropic_fake  # noqa: E402
from tests.live_server import LiveServer  # noqa: E402


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] * 1000


ANSWER = ("You could look at the Prospex Turtle SRPE93K1 for question {i}, a 45 mm automatic diver. "
          "It is rated to 200 m and has a day-date window at three o'clock. "
          "If you want something smaller, the Seiko 5 Sports SRPD55K1 is 42.5 mm and costs less.")


async def measure(settings: Settings, questions: list[str], fake: AnthropicFake | None) -> dict[str, list[float]]:
    # Over a real socket: an in-process ASGI client hands over the body only once it is complete, which
    # would hide when the first words really leave.
    server = LiveServer(settings).start()
    out: dict[str, list[float]] = {"first": [], "full": [], "before_model": []}
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
            for i, question in enumerate(questions):
                if fake is not None:
                    fake.script(Reply.text_reply(ANSWER.format(i=i)))
                started = time.perf_counter()
                first = None
                async with c.stream("POST", "/api/v1/chat", json={"message": question},
                                    headers={"Accept": "text/event-stream"}) as r:
                    async for line in r.aiter_lines():
                        if first is None and line == "event: delta":
                            first = time.perf_counter()
                done = time.perf_counter()
                if i < 3:
                    continue  # warm-up
                out["first"].append((first or done) - started)
                out["full"].append(done - started)
                if fake is not None:
                    out["before_model"].append(fake.arrivals[-1] - started)
    finally:
        server.stop()
    return out


def report(name: str, figures: dict[str, list[float]]) -> None:
    line = (f"{name:<26} first words p50 {pct(figures['first'], 50):7.1f} ms p95 {pct(figures['first'], 95):7.1f}"
            f" | full p50 {pct(figures['full'], 50):7.1f} ms p95 {pct(figures['full'], 95):7.1f}")
    if figures["before_model"]:
        line += (f" | before the model p50 {pct(figures['before_model'], 50):6.1f} ms"
                 f" p95 {pct(figures['before_model'], 95):6.1f}")
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--model-latency", type=float, default=0.4, help="seconds before the first word")
    parser.add_argument("--model-pace", type=float, default=0.02, help="seconds per streamed word")
    args = parser.parse_args()
    questions = [c.query for c in load_cases()][: args.questions + 3]
    base = {"SEIKO_INDEX_ON_START": True, "SEIKO_WORKER": False, "SEIKO_SCHEDULER": False,
            "SEIKO_RATE_LIMIT": "1000000/minute", "SEIKO_RATE_LIMIT_CHAT": "1000000/minute",
            "SEIKO_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as tmp:
        offline = Settings(_env_file=None, SEIKO_DATA_DIR=tmp, **base)  # type: ignore[arg-type]
        report("offline provider", asyncio.run(measure(offline, questions, None)))
        with running_anthropic_fake() as fake:
            fake.latency_s, fake.pace_s = args.model_latency, args.model_pace
            claude = Settings(_env_file=None, SEIKO_DATA_DIR=tmp, ANTHROPIC_API_KEY="test",  # type: ignore[arg-type]
                              ANTHROPIC_BASE_URL=fake.url, **base)
            report(f"fake Claude ({args.model_latency * 1000:.0f} ms + {args.model_pace * 1000:.0f} ms/word)",
                   asyncio.run(measure(claude, questions, fake)))
    print("(goal: retrieval and context building before the model is called under 100 ms)")


if __name__ == "__main__":
    main()
