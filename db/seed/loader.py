"""Load the seed catalog, its suppliers, reviews, opening stock and past sales into an empty store.

Runs once: it takes a transaction-scoped advisory lock and does nothing when watches exist, so two
processes starting together seed exactly once.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from db.seed.catalog import SUPPLIERS, WATCHES
from db.seed.history import History, HistoryWatch, generate_history, patterns

_SEED_LOCK_KEY = 0x5E1C0_0002
HISTORY_DAYS = 365
PAST_BUYERS = 60
# Never a valid argon2 hash, so these accounts exist for order history but can never log in.
_NO_LOGIN = "!seeded-no-login"


async def seed_catalog(conn: AsyncConnection[DictRow], *, today: date | None = None) -> bool:
    """Seed an empty store; returns False when it already held a catalog."""
    today = today or datetime.now(UTC).date()
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SEED_LOCK_KEY,))
        cur = await conn.execute("SELECT EXISTS (SELECT 1 FROM watches) AS seeded")
        row = await cur.fetchone()
        if row and row["seeded"]:
            return False
        supplier_ids = await _suppliers(conn)
        watch_ids = await _watches(conn, supplier_ids, today)
        await _history(conn, watch_ids, today)
    return True


async def _suppliers(conn: AsyncConnection[DictRow]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for s in SUPPLIERS:
        cur = await conn.execute(
            "INSERT INTO suppliers (code, name, country, lead_time_days, lead_time_sd_days) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (s.code, s.name, s.country, s.lead_time_days, s.lead_time_sd_days),
        )
        row = await cur.fetchone()
        assert row is not None
        ids[s.code] = row["id"]
    return ids


async def _watches(conn: AsyncConnection[DictRow], supplier_ids: dict[str, int], today: date) -> dict[str, int]:
    rng = random.Random(7)
    opened = datetime.combine(today - timedelta(days=HISTORY_DAYS), datetime.min.time(), UTC)
    ids: dict[str, int] = {}
    for w in WATCHES:
        cur = await conn.execute(
            """INSERT INTO watches (reference, name, collection, category, movement, caliber, case_diameter_mm,
                   case_material, water_resistance_m, crystal, dial_color, strap, features, price, description,
                   supplier_id, unit_cost, pack_size, min_order_qty, created_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
               RETURNING id""",
            (w.reference, w.name, w.collection, w.category, w.movement, w.caliber, w.case_diameter_mm,
             w.case_material, w.water_resistance_m, w.crystal, w.dial_color, w.strap, list(w.features), w.price,
             w.description, supplier_ids[w.supplier_code], w.unit_cost, w.pack_size, w.min_order_qty, opened),
        )
        row = await cur.fetchone()
        assert row is not None
        watch_id = row["id"]
        ids[w.reference] = watch_id
        await conn.execute("INSERT INTO inventory (watch_id, available) VALUES (%s, %s)", (watch_id, w.initial_stock))
        async with conn.cursor() as c:
            await c.executemany(
                "INSERT INTO reviews (watch_id, author, rating, title, body, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [(watch_id, r.author, r.rating, r.title, r.body,
                  opened + timedelta(days=rng.randrange(10, HISTORY_DAYS), minutes=rng.randrange(1440)))
                 for r in w.reviews],
            )
    return ids


async def _history(conn: AsyncConnection[DictRow], watch_ids: dict[str, int], today: date) -> None:
    buyers: list[int] = []
    for n in range(PAST_BUYERS):
        cur = await conn.execute(
            "INSERT INTO customers (email, name, password_hash, created_at) VALUES (%s, %s, %s, %s) RETURNING id",
            (f"buyer{n:03d}@history.seiko.invalid", f"Past buyer {n + 1}", _NO_LOGIN,
             datetime.combine(today - timedelta(days=HISTORY_DAYS + 1), datetime.min.time(), UTC)),
        )
        row = await cur.fetchone()
        assert row is not None
        buyers.append(row["id"])
    prices = {w.reference: w.price for w in WATCHES}
    history = _year(today)
    cur = await conn.execute("SELECT nextval(pg_get_serial_sequence('orders', 'id')) AS first")
    row = await cur.fetchone()
    assert row is not None
    first_id = int(row["first"])
    orders, lines, order_of = [], [], {}
    for n, sale in enumerate(history.sales):
        order_id = first_id + n
        order_of[id(sale)] = order_id
        age = (today - sale.day).days
        status = "delivered" if age > 10 else "shipped" if age > 3 else "paid"
        total = prices[sale.reference] * sale.quantity
        orders.append((order_id, buyers[sale.buyer], status, total, sale.at, sale.at, sale.at))
        lines.append((order_id, watch_ids[sale.reference], sale.quantity, prices[sale.reference]))
    reasons = {"seed": "opening stock", "order_reserved": "past sale", "restock": "supplier delivery"}
    ledger = [(watch_ids[m.reference], m.delta, m.kind, reasons[m.kind], m.balance_after,
               order_of[id(m.sale)] if m.sale else None, m.at) for m in history.movements]
    # The simulated year ends with its own stock; today's shelf is the catalog's opening stock. The
    # difference is booked as a stock count, so the ledger adds up to what is on the shelf.
    counted = datetime.combine(today, datetime.min.time(), UTC)
    ledger += [(watch_ids[w.reference], w.initial_stock - history.closing_stock[w.reference], "adjustment",
                "stock count at go-live", w.initial_stock, None, counted)
               for w in WATCHES if w.initial_stock != history.closing_stock[w.reference]]
    async with conn.cursor() as c:
        await c.executemany(
            "INSERT INTO orders (id, customer_id, status, total, created_at, updated_at, paid_at) "
            "OVERRIDING SYSTEM VALUE VALUES (%s, %s, %s, %s, %s, %s, %s)",
            orders,
        )
        await c.executemany(
            "INSERT INTO order_items (order_id, watch_id, quantity, unit_price) VALUES (%s, %s, %s, %s)", lines
        )
        await c.executemany(
            "INSERT INTO stock_movements (watch_id, delta, kind, reason, balance_after, order_id, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)", ledger
        )
    await conn.execute(
        "SELECT setval(pg_get_serial_sequence('orders', 'id'), greatest(%s, (SELECT max(id) FROM orders)))",
        (first_id + max(len(orders) - 1, 0),),
    )


def _year(today: date) -> History:
    lead = {s.code: s for s in SUPPLIERS}
    kinds = patterns([(w.reference, float(w.daily_demand)) for w in WATCHES])
    watches = [HistoryWatch(reference=w.reference, daily_mean=float(w.daily_demand), pattern=kinds[w.reference],
                            limited_edition="Limited Edition" in w.name,
                            lead_time_days=lead[w.supplier_code].lead_time_days,
                            lead_time_sd_days=float(lead[w.supplier_code].lead_time_sd_days), pack_size=w.pack_size)
               for w in WATCHES]
    return generate_history(watches, days=HISTORY_DAYS, today=today, buyers=PAST_BUYERS)


def seed_revenue(*, today: date) -> Decimal:
    """What the seeded history adds up to (used by tests to check the dashboard figures)."""
    prices = {w.reference: w.price for w in WATCHES}
    return sum((prices[s.reference] * s.quantity for s in _year(today).sales), Decimal("0.00"))
