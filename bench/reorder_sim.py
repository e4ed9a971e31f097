"""Reorder policy simulation: the stock agent's offline policy against a naive rule, over the seed catalog.

    .venv/bin/python bench/reorder_sim.py [--seeds 5] [--days 365] [--history demand|sales] [--guardrails]

Each seed draws one demand stream (Poisson around each watch's `daily_demand`, with a mild weekly rhythm)
and one set of lead times (uniform within +/-20% of the supplier's nominal lead time); both policies face
the same draws. Stock starts at `initial_stock`; demand that finds no stock is lost (no backorders).
Orders are placed at the end of a day and arrive at the start of day + lead time; one open order per watch.

- agent: what the offline stock agent proposes. Every day, from the last `demand_window_days` of history
  (a warm-up of the same length is drawn first), a watch at or below `reorder_point(...)` with nothing on
  order gets `order_up_to_quantity(...)` (position = on hand + on order, pack size, minimum order,
  `cover_days`) against the supplier's nominal lead time. `--history sales` estimates demand from units
  sold, as the database does, instead of true demand; `--guardrails` applies the policy limits as the
  offline agent does (the suggestion cut to 500 units and the per-order USD maximum in whole packs; the
  daily USD cap refuses the rest; proposals taken in the low-stock order, approved the same day).
- naive: when on hand is under 5 and nothing is on order, order `round_to_pack(10, ...)`: 10 units, raised
  to the supplier's minimum order and rounded up to whole packs.

Prints figures only (mean [min..max] over seeds); nothing here asserts on the result.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.settings import Settings  # noqa: E402
from commerce.inventory.reorder import order_up_to_quantity, reorder_point, round_to_pack  # noqa: E402
from commerce.replenishment.models import ReorderPolicy  # noqa: E402
from db.seed.catalog import SUPPLIERS, WATCHES  # noqa: E402

WEEKLY = np.array([0.9, 0.9, 0.95, 1.0, 1.05, 1.15, 1.05])
WEEKLY = WEEKLY / WEEKLY.mean()
LEAD_JITTER = 0.2
NAIVE_BELOW, NAIVE_QTY = 5, 10
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Catalog:
    refs: list[str]
    cost: Floats
    pack: list[int]
    min_order: list[int]
    mean: Floats
    lead: list[int]
    initial: Ints


@dataclass(frozen=True)
class Result:
    fill: float
    min_fill: float
    worst: str
    stockout_days: int
    inventory_usd: float
    orders: int
    units: int


def load_catalog() -> Catalog:
    lead = {s.code: s.lead_time_days for s in SUPPLIERS}
    return Catalog(
        refs=[w.reference for w in WATCHES], cost=np.array([float(w.unit_cost) for w in WATCHES]),
        pack=[w.pack_size for w in WATCHES], min_order=[w.min_order_qty for w in WATCHES],
        mean=np.array([float(w.daily_demand) for w in WATCHES]), lead=[lead[w.supplier_code] for w in WATCHES],
        initial=np.array([w.initial_stock for w in WATCHES], dtype=np.int64))


def simulate(cat: Catalog, policy: ReorderPolicy, demand: Ints, jitter: Floats, *, agent: bool, sales_history: bool,
             guardrails: bool) -> Result:
    n, warm = len(cat.refs), policy.demand_window_days
    days = demand.shape[1] - warm
    stock = cat.initial.copy()
    due_day = np.full(n, -1, dtype=np.int64)
    due_qty = np.zeros(n, dtype=np.int64)
    placed = np.zeros(n, dtype=np.int64)
    history = demand.copy() if sales_history else demand  # sales overwrite demand from day 0 on
    demanded, sold_total = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    stockout_days, inventory_usd, units = 0, 0.0, 0

    def place(i: int, day: int, qty: int) -> None:
        nonlocal units
        due_day[i] = day + max(1, round(cat.lead[i] * jitter[i, placed[i]]))
        due_qty[i], placed[i] = qty, placed[i] + 1
        units += qty

    for day in range(days):
        t = warm + day
        arriving = due_day == day
        stock[arriving] += due_qty[arriving]
        due_day[arriving], due_qty[arriving] = -1, 0
        wanted = demand[:, t]
        stockout_days += int(((stock == 0) & (wanted > 0)).sum())
        sold = np.minimum(stock, wanted)
        stock -= sold
        demanded += wanted
        sold_total += sold
        if sales_history:
            history[:, t] = sold
        inventory_usd += float(stock @ cat.cost)
        idle = [i for i in range(n) if due_day[i] < 0]
        if not agent:
            for i in idle:
                if stock[i] < NAIVE_BELOW:
                    place(i, day, round_to_pack(NAIVE_QTY, pack_size=cat.pack[i], min_order=cat.min_order[i]))
            continue
        window = history[:, t - warm + 1:t + 1]
        mu, sd = window.mean(axis=1), window.std(axis=1, ddof=1)
        points = {i: reorder_point(mean_daily=mu[i], sigma_daily=sd[i], lead_time_days=cat.lead[i],
                                   service_level=policy.service_level) for i in idle}
        low = sorted((i for i in idle if stock[i] <= points[i]), key=lambda i: (stock[i] / max(points[i], 1), i))
        spent = 0.0
        for i in low:
            qty = order_up_to_quantity(
                mean_daily=mu[i], sigma_daily=sd[i], lead_time_days=cat.lead[i], service_level=policy.service_level,
                position=int(stock[i]), pack_size=cat.pack[i], min_order=cat.min_order[i],
                cover_days=policy.cover_days)
            if guardrails:  # the offline policy cuts the suggestion to what one order may cost, in whole packs
                affordable = int(float(policy.max_order_usd) // cat.cost[i]) // cat.pack[i] * cat.pack[i]
                qty = min(qty, policy.max_units_per_order, affordable)
            value = qty * cat.cost[i]
            refused = guardrails and spent + value > float(policy.daily_cap_usd)
            if qty <= 0 or refused:
                continue
            spent += value
            place(i, day, qty)

    served = demanded > 0
    per_watch = np.where(served, sold_total / np.maximum(demanded, 1), np.inf)
    worst = int(per_watch.argmin())
    return Result(fill=float(sold_total.sum() / demanded.sum()), min_fill=float(per_watch[worst]),
                  worst=cat.refs[worst], stockout_days=stockout_days, inventory_usd=inventory_usd / days,
                  orders=int(placed.sum()), units=units)


def spread(values: list[float], fmt: str) -> str:
    return f"{format(float(np.mean(values)), fmt)} [{format(min(values), fmt)}..{format(max(values), fmt)}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--history", choices=("demand", "sales"), default="demand")
    parser.add_argument("--guardrails", action="store_true")
    args = parser.parse_args()
    # The policy the store runs with: the settings' defaults are its one source.
    policy, cat = Settings(_env_file=None).reorder_policy, load_catalog()  # type: ignore[call-arg]
    warm = policy.demand_window_days
    rhythm = WEEKLY[np.arange(warm + args.days) % 7]
    runs: dict[str, list[Result]] = {"agent": [], "naive": []}
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        demand = rng.poisson(cat.mean[:, None] * rhythm[None, :]).astype(np.int64)
        jitter = rng.uniform(1 - LEAD_JITTER, 1 + LEAD_JITTER, size=(len(cat.refs), args.days + 1))
        for name in runs:
            runs[name].append(simulate(cat, policy, demand, jitter, agent=name == "agent",
                                       sales_history=args.history == "sales", guardrails=args.guardrails))

    print(f"Reorder simulation: {len(cat.refs)} watches, {args.days} days, {args.seeds} seeds (0..{args.seeds - 1}), "
          f"{warm}-day warm-up; lead time nominal +/-{LEAD_JITTER:.0%}; lost sales")
    print(f"service level {policy.service_level:.2f}, demand window {warm} d, cover {policy.cover_days:g} d, "
          f"history from {args.history}, guardrails {'on' if args.guardrails else 'off'}, reorder point daily")
    print(f"naive: order round_to_pack({NAIVE_QTY}) (>= min order, whole packs) when on hand < {NAIVE_BELOW}, "
          "nothing on order\n")
    rows = [("fill rate (sold/demanded)", "fill", ".4f"), ("min fill rate, one watch", "min_fill", ".4f"),
            ("stockout watch-days", "stockout_days", ".1f"), ("avg inventory at cost, USD", "inventory_usd", ",.0f"),
            ("orders placed", "orders", ".1f"), ("units ordered", "units", ".1f")]
    print(f"{'metric (mean [min..max])':<30}{'agent':>36}{'naive':>36}")
    for label, field, fmt in rows:
        cells = [spread([float(getattr(r, field)) for r in runs[name]], fmt) for name in runs]
        print(f"{label:<30}{cells[0]:>36}{cells[1]:>36}")
    worst = {name: sorted({r.worst for r in results}) for name, results in runs.items()}
    print(f"{'worst watch (any seed)':<30}{', '.join(worst['agent']):>36}{', '.join(worst['naive']):>36}\n")
    met = [a.fill >= policy.service_level and a.inventory_usd < n.inventory_usd
           for a, n in zip(runs["agent"], runs["naive"], strict=True)]
    print(f"goal: agent fill rate >= {policy.service_level:.2f} with less average inventory than naive -> "
          f"met in {sum(met)}/{len(met)} seeds")
    for seed, (a, n) in enumerate(zip(runs["agent"], runs["naive"], strict=True)):
        print(f"  seed {seed}: fill {a.fill:.4f} {'>=' if a.fill >= policy.service_level else '<'} "
              f"{policy.service_level:.2f}; inventory ${a.inventory_usd:,.0f} vs naive ${n.inventory_usd:,.0f}")


if __name__ == "__main__":
    main()
