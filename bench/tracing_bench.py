"""What tracing costs: p50/p95 of catalog reads and of an assistant chat turn (offline policy) with
tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT: nothing installed) and on (every request sampled, every
span exported over OTLP/HTTP protobuf to a loopback receiver), then the span tree of a drill.

    python bench/tracing_bench.py [--seconds 8] [--concurrency 10] [--turns 40] [--rounds 2]

Starts an embedded PostgreSQL, prepares and indexes it once, then serves the real app in its own
uvicorn process per run on loopback, alternating off and on. Figures, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telemetry.tree import SpanView, render  # noqa: E402

TOKEN = "bench-alert-token-0123456789abcdef"
REFERENCE = "SRPD55K1"
# Tracing off (nothing installed), on (every request traced and exported), on with 10 % of traces sampled.
MODES = ("off", "on", "10%")


def serve(mode: str, url: str, port: int, otlp: str | None) -> None:
    import uvicorn

    from app.runtime import build_app
    from app.settings import Settings

    tracing: dict[str, Any] = {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp, "OTEL_SERVICE_NAME": f"seiko-bench-{mode}",
                               "SEIKO_TRACE_SAMPLE_RATIO": 0.1 if mode == "10%" else 1.0} if mode != "off" else {}
    # No worker while measuring (both servers alike); the drill's server runs one, traced.
    settings = Settings(_env_file=None, DATABASE_URL=url, SEIKO_SEED=False, SEIKO_INDEX_ON_START=False,
                        SEIKO_SCHEDULER=False, SEIKO_WORKER=mode == "drill", SEIKO_DB_POOL_MAX=10,
                        SEIKO_RATE_LIMIT="1000000/minute", SEIKO_RATE_LIMIT_CHAT="1000000/minute",
                        SEIKO_QUERY_EMBEDDING_BACKEND="torch", SEIKO_LOG_LEVEL="WARNING",
                        ALERTMANAGER_WEBHOOK_TOKEN=TOKEN, **tracing)
    uvicorn.run(build_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)


@dataclass(frozen=True)
class Received(SpanView):
    service: str = ""


class Receiver:
    """The loopback OTLP receiver (tests/fakes/otlp_receiver.py) in a process of its own, so decoding
    spans never competes with the load generator for this process's GIL."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.otlp_receiver"], cwd=ROOT,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()

    async def spans(self, session: aiohttp.ClientSession) -> list[Received]:
        async with session.get(f"{self.url}/spans") as r:
            received = await r.json()
        return [Received(name=s["name"], trace_id=s["trace_id"], span_id=s["span_id"],
                         parent_id=s["parent_span_id"] or None, start_ns=s["start_ns"], end_ns=s["end_ns"],
                         attributes=s["attributes"], linked_traces=tuple(t for t, _ in s["links"]),
                         service=s["resource"].get("service.name", ""))
                for s in received]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cuts(samples: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(samples, n=100)
    return q[49] * 1000, q[94] * 1000


async def wait_ready(session: aiohttp.ClientSession, base: str) -> None:
    for _ in range(1200):
        try:
            async with session.get(f"{base}/ready") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{base} never became ready")


async def catalog(session: aiohttp.ClientSession, bases: dict[str, str], path: str, *, seconds: float,
                  concurrency: int) -> dict[str, list[float]]:
    """`concurrency` clients, each alternating between the two servers request by request, so whatever
    else the machine does lands on both alike."""
    latencies: dict[str, list[float]] = {mode: [] for mode in bases}
    deadline = time.perf_counter() + seconds

    async def client(i: int) -> None:
        order = list(bases) if i % 2 == 0 else list(reversed(bases))
        while time.perf_counter() < deadline:
            for mode in order:
                started = time.perf_counter()
                async with session.get(bases[mode] + path) as r:
                    await r.read()
                    assert r.status == 200, r.status
                latencies[mode].append(time.perf_counter() - started)

    await asyncio.gather(*(client(i) for i in range(concurrency)))
    return latencies


async def chat(session: aiohttp.ClientSession, bases: dict[str, str], questions: list[str]) -> dict[str, list[float]]:
    """One turn at a time, each question asked of both servers, in alternating order."""
    latencies: dict[str, list[float]] = {mode: [] for mode in bases}
    for i, question in enumerate(questions):
        for mode in (list(bases) if i % 2 == 0 else list(reversed(bases))):
            started = time.perf_counter()
            async with session.post(f"{bases[mode]}/api/v1/chat", json={"message": question}) as r:
                body = await r.json()
                assert r.status == 200 and body["provider"] == "offline", body
            latencies[mode].append(time.perf_counter() - started)
    return latencies


async def drill(session: aiohttp.ClientSession, base: str, receiver: Receiver) -> list[SpanView]:
    """A low-stock alert through the webhook; the trace that holds the agent's run, once exported."""
    alert = {"status": "firing", "labels": {"alertname": "WatchesLowStock", "severity": "warning"},
             "annotations": {"summary": "watches low"}, "startsAt": "2026-11-26T09:00:00Z",
             "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "bench", "fingerprint": "bench-drill"}
    body = {"version": "4", "groupKey": "bench", "truncatedAlerts": 0, "status": "firing", "receiver": "bench",
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am",
            "alerts": [alert]}
    async with session.post(f"{base}/api/v1/alerts/alertmanager", json=body,
                            headers={"Authorization": f"Bearer {TOKEN}"}) as r:
        assert r.status == 202, await r.text()
    for _ in range(300):  # the worker runs it; the batch exporter sends within ~5 s
        spans = await receiver.spans(session)
        runs = [s for s in spans if s.name == "invoke_agent stock"]
        if runs:
            await asyncio.sleep(6)  # the rest of the job's spans, in the next batch
            return [s for s in await receiver.spans(session) if s.trace_id == runs[0].trace_id]
        await asyncio.sleep(0.5)
    raise RuntimeError("the drill's run was never exported")


def cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """User + system CPU time of a server process so far (Linux /proc), to cost each request."""
    fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def spans_per_request(spans: list[SpanView]) -> dict[str, float]:
    """Spans per trace, by the route of the request that began it (one request, one trace)."""
    by_trace: dict[str, list[SpanView]] = {}
    for span in spans:
        by_trace.setdefault(span.trace_id, []).append(span)
    counts: dict[str, list[int]] = {}
    for members in by_trace.values():
        roots = [s for s in members if s.parent_id is None]
        if roots:
            counts.setdefault(roots[0].name, []).append(len(members))
    return {name: statistics.mean(n) for name, n in counts.items()}


def start_server(mode: str, url: str, receiver: Receiver) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, __file__, "--serve", mode, "--db", url, "--port", str(port), "--otlp", receiver.url]
    # Its log (a line per request) goes nowhere: writing it would be part of what is measured.
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


async def run(args: argparse.Namespace, url: str, receiver: Receiver, questions: list[str]) -> None:
    procs: list[subprocess.Popen[bytes]] = []
    bases: dict[str, str] = {}
    cpu: dict[tuple[str, str], float] = {}
    timeout = aiohttp.ClientTimeout(total=120)
    figures: dict[tuple[str, str], list[float]] = {}
    per_round: dict[tuple[str, str], list[tuple[float, float]]] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=2 * args.concurrency + 4),
                                     timeout=timeout) as session:
        try:
            for mode in MODES:  # all at once: every round measures them side by side
                proc, bases[mode] = start_server(mode, url, receiver)
                procs.append(proc)
            for base in bases.values():
                await wait_ready(session, base)
            await chat(session, bases, questions[:3])  # loads the query model in each
            for warm_up in ("/api/v1/watches", f"/api/v1/watches/{REFERENCE}"):
                await catalog(session, bases, warm_up, seconds=1, concurrency=args.concurrency)
            servers = dict(zip(bases, procs, strict=True))
            phases: list[tuple[str, str | None]] = [("list", "/api/v1/watches"),
                                                    ("detail", f"/api/v1/watches/{REFERENCE}"), ("chat", None)]
            for _ in range(args.rounds):
                for name, path in phases:
                    before = {mode: cpu_seconds(proc) for mode, proc in servers.items()}
                    measured = await (catalog(session, bases, path, seconds=args.seconds, concurrency=args.concurrency)
                                      if path is not None else chat(session, bases, questions[3:3 + args.turns]))
                    for mode, samples in measured.items():
                        figures.setdefault((mode, name), []).extend(samples)
                        per_round.setdefault((mode, name), []).append(cuts(samples))
                        cpu[(mode, name)] = cpu.get((mode, name), 0.0) + cpu_seconds(servers[mode]) - before[mode]
            await asyncio.sleep(6)  # the batch exporter's last schedule (5 s by default)
            received = await receiver.spans(session)
            per_request = {mode: spans_per_request([s for s in received if s.service == f"seiko-bench-{mode}"])
                           for mode in MODES}
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=60)
            proc, base = start_server("drill", url, receiver)
            procs = [proc]
            await wait_ready(session, base)
            drill_spans = await drill(session, base, receiver)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=60)
    print(f"\n{args.rounds} rounds, tracing off / on / on sampling 10 %, side by side (three servers, requests "
          f"alternating); catalog: "
          f"{args.concurrency} clients x {args.seconds:.0f} s per endpoint and round; chat: {args.turns} offline "
          f"turns per round, one at a time; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'what':<17} {'tracing':<8} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/req':>10} "
          f"{'spans/req':>10}  per round p50/p95")
    routes = {"list": "GET /api/v1/watches", "detail": "GET /api/v1/watches/{reference}", "chat": "POST /api/v1/chat"}
    for name, label in (("list", "GET /watches"), ("detail", "GET /watches/{r}"), ("chat", "chat turn")):
        for mode in MODES:
            samples = figures[(mode, name)]
            p50, p95 = cuts(samples)
            per = f"{per_request[mode].get(routes[name], 0):.1f}" if mode != "off" else "-"
            rounds = ", ".join(f"{a:.1f}/{b:.1f}" for a, b in per_round[(mode, name)])
            cpu_ms = cpu[(mode, name)] / len(samples) * 1000
            print(f"{label:<17} {mode:<8} {len(samples):>8} {p50:>8.2f} {p95:>8.2f} {cpu_ms:>10.2f} {per:>10}  "
                  f"{rounds}")
        (off50, off95), (on50, on95) = cuts(figures[("off", name)]), cuts(figures[("on", name)])
        cpu_off, cpu_on = (cpu[(m, name)] / len(figures[(m, name)]) * 1000 for m in ("off", "on"))
        print(f"{label:<17} on - off: p50 {on50 - off50:+.2f} ms ({(on50 / off50 - 1) * 100:+.0f}%), "
              f"p95 {on95 - off95:+.2f} ms ({(on95 / off95 - 1) * 100:+.0f}%), "
              f"CPU {cpu_on - cpu_off:+.2f} ms/request ({(cpu_on / cpu_off - 1) * 100:+.0f}%)")
    print(f"\nThe drill's trace ({len(drill_spans)} spans; SQL reads hidden, writes shown):")
    print(render(drill_spans))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--serve", choices=["off", "on", "10%", "drill"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--otlp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.db, args.port, args.otlp)
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from app.runtime import prepare_database
    from app.settings import Settings
    from db.embedded import EmbeddedPostgres
    from evals.search.harness import load_cases
    from rag.embedder import Embedder
    from rag.indexer import index_missing

    questions = [c.query for c in load_cases()]
    questions = (questions * (1 + (args.turns + 3) // len(questions)))[: args.turns + 3]

    async def prepare(uri: str) -> None:
        import psycopg
        from psycopg.rows import dict_row

        await prepare_database(uri, Settings(_env_file=None))
        async with await psycopg.AsyncConnection.connect(uri, autocommit=True, row_factory=dict_row) as conn:
            await index_missing(conn, Embedder())

    receiver = Receiver()
    try:
        with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "pgdata") as pg:
            asyncio.run(prepare(pg.uri))
            asyncio.run(run(args, pg.uri, receiver, questions))
    finally:
        receiver.stop()


if __name__ == "__main__":
    main()
