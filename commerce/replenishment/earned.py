"""Measuring what happened after each decided proposal, and switching earned autonomy per class."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from commerce.forecasting.demand import DemandClass, in_stock_by_day
from commerce.replenishment import repo
from commerce.replenishment.autonomy import OUTCOME_DAYS, ClassRecord, Outcomes, Verdict, judge
from commerce.replenishment.models import ReorderPolicy
from db.pool import Conn


def outcome(opening: int, moves: list[tuple[int, int]], *, order_up_to: int | None,
            unit_cost: Decimal) -> tuple[int, Decimal]:
    """Days that opened out of stock in the `OUTCOME_DAYS` after a decision, and the value of the stock
    above the order-up-to level at their end (0 when the proposal had no such level)."""
    flags = in_stock_by_day(opening, moves, OUTCOME_DAYS)
    closing = moves[-1][1] if moves else opening
    excess = max(0, closing - order_up_to) if order_up_to is not None else 0
    return flags.count(False), (unit_cost * excess).quantize(Decimal("0.01"))


async def measure_outcomes(conn: Conn) -> int:
    measured = 0
    for row in await repo.unmeasured_outcomes(conn, after_days=OUTCOME_DAYS):
        moves = [(int(day), int(balance)) for day, balance in row["moves"]]
        stockout_days, overstock = outcome(int(row["opening"]), moves, order_up_to=row["order_up_to"],
                                           unit_cost=Decimal(row["unit_cost"]))
        await repo.record_outcome(conn, proposal_id=row["id"], stockout_days=stockout_days, overstock_value=overstock)
        measured += 1
    return measured


def _record(row: dict[str, Any]) -> ClassRecord:
    return ClassRecord(
        demand_class=row["demand_class"], decided_by_people=int(row["decided"]),
        approved_unchanged=int(row["unchanged"]),
        agent=Outcomes(measured=int(row["agent_n"]), mean_stockout_days=float(row["agent_stockout"]),
                       mean_overstock_value=Decimal(row["agent_overstock"]).quantize(Decimal("0.01")),
                       mean_order_cost=Decimal(row["agent_cost"]).quantize(Decimal("0.01"))),
        human=Outcomes(measured=int(row["human_n"]), mean_stockout_days=float(row["human_stockout"]),
                       mean_overstock_value=Decimal(row["human_overstock"]).quantize(Decimal("0.01")),
                       mean_order_cost=Decimal(row["human_cost"]).quantize(Decimal("0.01"))),
    )


async def evaluate_autonomy(conn: Conn, policy: ReorderPolicy) -> dict[str, Verdict]:
    """Judge every demand class on the record so far and store the result; runs after each decision
    and on the stock sweep, so a class loses autonomy as soon as its record stops earning it."""
    records = {r["demand_class"]: _record(r) for r in await repo.autonomy_records(conn)}
    verdicts: dict[str, Verdict] = {}
    async with conn.transaction():
        for demand_class in DemandClass:
            record = records.get(demand_class.value) or ClassRecord(
                demand_class.value, 0, 0, *(Outcomes(0, 0.0, Decimal("0.00"), Decimal("0.00")),) * 2)
            verdict = judge(record, min_proposals=policy.autonomy_min_proposals,
                            min_approval=policy.autonomy_min_approval, fill_rate=policy.fill_rates[demand_class])
            await repo.set_autonomy(conn, demand_class=demand_class.value, enabled=verdict.enabled,
                                    reason=verdict.reason, evidence=verdict.evidence)
            verdicts[demand_class.value] = verdict
    return verdicts
