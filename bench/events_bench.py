"""Event log benchmark: events per second through the relay, and end-to-end lag from an order's commit
to a consumer applying its events at a paced rate of orders, in-process and through Kafka (Tansu).

    python bench/events_bench.py [--rate 200] [--seconds 10] [--backlog 2000] [--modes in_process,kafka]

Starts an embedded PostgreSQL (or uses DATABASE_URL), migrates and seeds it, then per mode:

1. throughput: places and pays `backlog` orders through the real services with nothing relaying, then
   times `Relay.drain()` over the whole backlog (in Kafka mode, until a consumer group has applied it
   too): events/s;
2. lag: other processes (`--load-processes`, 3) place and pay orders at `rate` per second for `seconds` (each order one
   task, through the real services, at most 20 at once) while this one relays continuously (polling
   every 10 ms when idle) and runs the consumers; for each order, the wall-clock time from its
   payment's commit to the moment a consumer applied its `order.paid` event. Prints p50/p95/p99 and
   the rate really achieved.

The relay of a running store is a job that follows the log the same way (polling every 0.1 s when
idle, rather than 10 ms here), so a running store adds up to 0.1 s to these lags. A figure-printing
benchmark, not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from commerce.orders import service as orders  # noqa: E402
from commerce.orders.checkout import CheckoutRates  # noqa: E402
from commerce.orders.models import OrderCreate, OrderLimits  # noqa: E402
from commerce.payments import service as payments  # noqa: E402
from commerce.payments.provider import SimulatedProvider  # noqa: E402
from db.pool import Conn, Pool, open_pool  # noqa: E402
from events.envelope import Event  # noqa: E402
from events.projections import all_consumers  # noqa: E402
from events.relay import InProcessPublisher, Publisher, Relay  # noqa: E402

LIMITS = OrderLimits(max_unpaid_orders=1_000_000, max_reserved_value=10**9)  # type: ignore[arg-type]
RATES = CheckoutRates()
PROVIDER = SimulatedProvider()


class PaidClock:
    """A consumer that notes when it applied each order's last event, `order.paid` (or `order.placed`
    with --no-pay): the lag's far end."""

    name = "bench_clock"

    def __init__(self, event_type: str = "order.paid") -> None:
        self.applied: dict[int, float] = {}
        self.event_type = event_type

    def handles(self, event_type: str) -> bool:
        return event_type == self.event_type

    async def apply(self, conn: Conn, events: list[Event]) -> None:
        now = time.time()  # wall clock: the orders are committed by another process on this machine
        for event in events:
            self.applied.setdefault(int(event.subject), now)

    async def reset(self, conn: Conn) -> None:
        pass


async def prepare(url: str) -> tuple[list[int], list[str]]:
    import psycopg
    from psycopg.rows import dict_row

    from app.runtime import prepare_database
    from app.settings import Settings

    await prepare_database(url, Settings(_env_file=None, DATABASE_URL=url, SEIKO_ENV="test"))  # type: ignore[call-arg]
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
        await conn.execute("UPDATE inventory SET available = 1000000")  # the shelf never empties in a bench
        cur = await conn.execute(
            "INSERT INTO customers (email, name, password_hash) SELECT 'bench' || n || '@bench.invalid', 'B', 'x' "
            "FROM generate_series(1, 400) n RETURNING id")
        customers = [int(r["id"]) for r in await cur.fetchall()]
        cur = await conn.execute("SELECT reference FROM watches WHERE active ORDER BY id LIMIT 20")
        references = [r["reference"] for r in await cur.fetchall()]
    return customers, references


async def order_and_pay(pool: Pool, customer: int, reference: str) -> float:
    """Place and pay one order through the real services; the moment the payment committed."""
    async with pool.connection() as conn:
        order, _ = await orders.place_order(
            conn, customer_id=customer, data=OrderCreate.model_validate({"items": [{"reference": reference,
                                                                                    "quantity": 1}]}),
            idempotency_key=None, limits=LIMITS, rates=RATES)
    await payments.simulate(pool, provider=PROVIDER, order_id=order.id, customer_id=customer, succeeded=True)
    return time.perf_counter()


async def backlog(pool: Pool, customers: list[int], references: list[str], n: int) -> None:
    gate = asyncio.Semaphore(16)

    async def one(i: int) -> None:
        async with gate:
            await order_and_pay(pool, customers[i % len(customers)], references[i % len(references)])

    await asyncio.gather(*(one(i) for i in range(n)))


async def relay_forever(relay: Relay, stop: asyncio.Event) -> None:
    while not stop.is_set():
        if await relay.run_once() == 0:
            await asyncio.sleep(0.01)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def run_mode(mode: str, url: str, args: argparse.Namespace, customers: list[int], refs: list[str]) -> None:
    pool = await open_pool(url, min_size=4, max_size=24)
    clock = PaidClock("order.paid" if args.pay else "order.placed")
    consumers: list[Any] = [*all_consumers(), clock]
    stop = asyncio.Event()
    feeders: list[asyncio.Task[None]] = []
    broker = None
    try:
        if mode == "kafka":
            from events.kafka import KafkaConsumerLoop, KafkaPublisher, ensure_topics
            from tests.fix_kafka import CONSUMER_CONFIG, Tansu, free_port

            broker = Tansu(free_port())
            broker.start()
            ensure_topics(broker.bootstrap)
            publisher: Publisher = KafkaPublisher(broker.bootstrap)
            loop = KafkaConsumerLoop(broker.bootstrap, pool, consumers, group_id=f"bench-{uuid.uuid4().hex}",
                                     extra=CONSUMER_CONFIG, poll_s=0.05)

            async def consume() -> None:
                while not stop.is_set():
                    await loop.run_once()

            feeders.append(asyncio.create_task(consume()))
        else:
            publisher = InProcessPublisher(pool, consumers)
        relay = Relay(pool, publisher, batch=500, name=f"bench-{mode}")
        clock.event_type = "order.paid"  # the backlog's orders are paid
        # Catch up with the log so far (the seeded history), unmeasured.
        await relay.drain(max_batches=10_000)

        # 1. Throughput over a backlog.
        await backlog(pool, customers, refs, args.backlog)
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT count(*) AS n FROM events e, event_checkpoints c WHERE c.name = %s "
                                     "AND (e.tx_id, e.position) > (c.tx_id, c.position)", (relay.name,))
            waiting = int((await cur.fetchone() or {"n": 0})["n"])
        paid_before = len(clock.applied)
        started = time.perf_counter()
        await relay.drain(max_batches=10_000)
        relayed_s = time.perf_counter() - started
        while len(clock.applied) < paid_before + args.backlog:  # noqa: ASYNC110 - Kafka: until consumers have it all
            await asyncio.sleep(0.01)
        applied_s = time.perf_counter() - started
        print(f"[{mode}] backlog of {args.backlog} orders = {waiting} events: relayed in {relayed_s:.2f} s "
              f"({waiting / relayed_s:,.0f} events/s); applied by every consumer in {applied_s:.2f} s "
              f"({waiting / applied_s:,.0f} events/s)")

        clock.event_type = "order.paid" if args.pay else "order.placed"
        # 2. Lag at a paced rate, relay and consumers running here, the orders placed by another process
        # (as a store's API processes would), so the two do not share one event loop.
        feeders.append(asyncio.create_task(relay_forever(relay, stop)))
        folder = Path(tempfile.mkdtemp(prefix="events-bench-load-"))
        share = args.rate / args.load_processes
        loads = [await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--load", url, str(share), str(args.seconds), str(folder / f"{n}.tsv"), str(n),
            str(args.load_processes), str(int(args.pay))) for n in range(args.load_processes)]
        for process in loads:
            assert await process.wait() == 0, "a load process failed"
        committed: dict[int, float] = {}
        total, placed_s = 0, 0.0
        for n in range(args.load_processes):
            lines = (await asyncio.to_thread((folder / f"{n}.tsv").read_text)).split()
            committed |= {int(o): float(t) for o, t in zip(lines[2::2], lines[3::2], strict=True)}
            total, placed_s = total + int(lines[0]), max(placed_s, float(lines[1]))
        while not all(o in clock.applied for o in committed):  # noqa: ASYNC110 - fed by the consumer tasks
            await asyncio.sleep(0.01)
        lags = [(clock.applied[o] - t) * 1000 for o, t in committed.items()]
        what = "placed and paid" if args.pay else "placed"
        print(f"[{mode}] {total} orders {what} in {placed_s:.1f} s ({total / placed_s:.0f} orders/s; "
              f"asked {args.rate:.0f}); lag commit -> consumer applied: p50 {percentile(lags, 50):.0f} ms, "
              f"p95 {percentile(lags, 95):.0f} ms, p99 {percentile(lags, 99):.0f} ms, max {max(lags):.0f} ms")
    finally:
        stop.set()
        for task in feeders:
            with contextlib.suppress(Exception):
                await task
        if broker is not None:
            broker.kill()
        await pool.close()


async def load(url: str, rate: float, seconds: float, out: Path, n: int, of: int, *, pay: bool) -> None:
    """One load process (`n` of `of`): place and pay orders at `rate` per second, for customers of its
    own; write each payment's commit time."""
    import psycopg
    from psycopg.rows import dict_row

    pool = await open_pool(url, min_size=4, max_size=20)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
        cur = await conn.execute("SELECT id FROM customers WHERE email LIKE '%@bench.invalid' ORDER BY id")
        customers = [int(r["id"]) for r in await cur.fetchall()][n::of]
        cur = await conn.execute("SELECT reference FROM watches WHERE active ORDER BY id LIMIT 20")
        refs = [r["reference"] for r in await cur.fetchall()]
    committed: list[tuple[int, float]] = []
    gate = asyncio.Semaphore(20)

    async def paced(i: int) -> None:
        customer = customers[i % len(customers)]
        async with gate:
            async with pool.connection() as conn:
                order, _ = await orders.place_order(
                    conn, customer_id=customer, data=OrderCreate.model_validate(
                        {"items": [{"reference": refs[i % len(refs)], "quantity": 1}]}),
                    idempotency_key=None, limits=LIMITS, rates=RATES)
            if pay:
                started = await payments.start_payment(pool, provider=PROVIDER, order_id=order.id,
                                                       customer_id=customer)
                async with pool.connection() as conn:
                    await payments.apply_outcome(conn, event_id=f"evt_bench_{uuid.uuid4().hex}",
                                                 source="simulated", event_type=payments.SUCCEEDED,
                                                 intent_id=started.intent_id)
            committed.append((order.id, time.time()))  # the last call returned: its transaction committed

    total = int(rate * seconds)
    tasks = []
    begin = time.perf_counter()
    for i in range(total):
        delay = begin + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(paced(i)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begin
    await pool.close()
    await asyncio.to_thread(out.write_text, f"{total}\n{elapsed}\n" + "".join(f"{o}\t{t}\n" for o, t in committed))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--modes", default="in_process,kafka")
    parser.add_argument("--load-processes", type=int, default=3, help="processes placing the orders")
    parser.add_argument("--no-pay", dest="pay", action="store_false",
                        help="lag phase: place orders only (the lag is to order.placed); throughput still pays")
    parser.add_argument("--load", nargs=7, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        url, rate, seconds, out, n, of, pay = args.load
        await load(url, float(rate), float(seconds), Path(out), int(n), int(of), pay=pay == "1")
        return
    import os

    from db.embedded import EmbeddedPostgres

    server = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="events-bench-")) / "pgdata")
        url = server.start()
    try:
        customers, refs = await prepare(url)
        for mode in args.modes.split(","):
            await run_mode(mode, url, args, customers, refs)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
