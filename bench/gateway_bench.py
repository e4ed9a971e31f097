"""The LLM gateway's own overhead per call, next to a raw SDK call, against the local Anthropic fake.

    python bench/gateway_bench.py [--calls 300]

Both paths use the real `anthropic` SDK over loopback HTTP to tests/fakes/anthropic_server.py. The
gateway path adds what every production call pays: request building (tools, cache_control), the
breaker and budget checks, cost arithmetic, the llm_calls row in PostgreSQL (a pooled connection
per write), metrics. Prints p50/p95 for each and the difference. Figures, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable
from decimal import Decimal
from pathlib import Path

import anthropic

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.gateway import Gateway, RunState, Slot  # noqa: E402
from agent.limits import Budgets  # noqa: E402
from agent.providers.claude import ClaudeProvider  # noqa: E402
from app.settings import Settings  # noqa: E402
from common.llm import LLMRequest, Message  # noqa: E402
from db.embedded import EmbeddedPostgres  # noqa: E402
from db.migrate import migrate  # noqa: E402
from db.pool import open_pool  # noqa: E402
from decision_log.pricing import PriceTable  # noqa: E402
from decision_log.recorder import DecisionRecorder  # noqa: E402
from decision_log.records import DecisionStart  # noqa: E402
from tests.fakes.anthropic_server import running_anthropic_fake  # noqa: E402
from tests.integration.test_llm_gateway import TOOLS  # noqa: E402

MODEL = "claude-sonnet-5-5"


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49] * 1000, cuts[94] * 1000


async def timed(call: Awaitable[object]) -> float:
    started = time.perf_counter()
    await call
    return time.perf_counter() - started


async def measure(url: str, db_url: str, calls: int) -> None:
    request = LLMRequest(system="You count stock.", messages=(Message("user", "How many SRPD55K1?"),),
                         tools=TOOLS.specs)
    provider = ClaudeProvider(api_key="test", model=MODEL, base_url=url)
    raw = anthropic.AsyncAnthropic(api_key="test", base_url=url, max_retries=0)
    gateway = Gateway([Slot(provider)], prices=PriceTable(), budgets=Budgets(daily_total_usd=Decimal(1000)),
                      limits=Settings(_env_file=None).run_limits)  # type: ignore[call-arg]
    params = provider.params(request)
    pool = await open_pool(db_url, min_size=1, max_size=2)
    try:
        recorder = DecisionRecorder(pool)
        decision = uuid.uuid4()
        await recorder.start(DecisionStart(decision_id=decision, agent="eval", trigger="bench", prompt_name=None,
                                           prompt_version=None))
        run = RunState(recorder=recorder, decision_id=decision, agent="eval", deadline=gateway.clock() + 3600)
        raw_times: list[float] = []
        gateway_times: list[float] = []
        for i in range(calls + 30):  # interleaved, so drift affects both alike; the first 30 warm up
            if i % 2:  # alternate which goes first
                gateway_ms = await timed(gateway.complete(request, run))
                raw_ms = await timed(raw.messages.create(**params))
            else:
                raw_ms = await timed(raw.messages.create(**params))
                gateway_ms = await timed(gateway.complete(request, run))
            if i >= 30:
                raw_times.append(raw_ms)
                gateway_times.append(gateway_ms)
    finally:
        await pool.close()
    raw_p50, raw_p95 = percentiles(raw_times)
    gw_p50, gw_p95 = percentiles(gateway_times)
    print(f"\n{calls} calls each, loopback fake, real SDK")
    print(f"{'path':<22} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"{'raw SDK call':<22} {raw_p50:>8.2f} {raw_p95:>8.2f}")
    print(f"{'through the gateway':<22} {gw_p50:>8.2f} {gw_p95:>8.2f}")
    print(f"gateway overhead at p50: {gw_p50 - raw_p50:.2f} ms (goal < 2 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "pgdata") as pg, \
            running_anthropic_fake() as fake:
        migrate(pg.uri)
        asyncio.run(measure(fake.url, pg.uri, args.calls))


if __name__ == "__main__":
    main()
