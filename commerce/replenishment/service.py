"""Reorder proposals: what the stock agent may propose (guardrails), and what ops do with them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from commerce.errors import Conflict, NotFound
from commerce.inventory import repo as inventory_repo
from commerce.inventory.reorder import order_up_to_quantity, reorder_point, safety_stock, z_for_service_level
from commerce.replenishment import repo
from commerce.replenishment.models import Assessment, ProposalPublic, ProposalStatus, Rejection, ReorderPolicy
from db.pool import Conn


class ProposalNotFound(NotFound):
    code = "proposal_not_found"
    title = "Reorder proposal not found"


class ProposalNotPending(Conflict):
    code = "proposal_not_pending"
    title = "The proposal is no longer in a state that allows this"


@dataclass(frozen=True)
class Refusal:
    """Why a proposal was not created: the agent reads it as a tool error."""

    reason: str


def assess(row: dict[str, Any], policy: ReorderPolicy) -> Assessment:
    """The inputs a proposal is judged on, for one low-stock watch (pure arithmetic)."""
    position = int(row["available"]) + int(row["on_order"])
    z = z_for_service_level(policy.service_level)
    safety = safety_stock(z=z, sigma_daily=row["sd_daily"], lead_time_days=row["lead_time_days"])
    point = reorder_point(mean_daily=row["mean_daily"], sigma_daily=row["sd_daily"],
                          lead_time_days=row["lead_time_days"], service_level=policy.service_level)
    suggested = order_up_to_quantity(
        mean_daily=row["mean_daily"], sigma_daily=row["sd_daily"], lead_time_days=row["lead_time_days"],
        service_level=policy.service_level, position=position, pack_size=row["pack_size"],
        min_order=row["min_order_qty"], cover_days=policy.cover_days)
    low, high = bounds(suggested, row, policy)
    pack = int(row["pack_size"])
    affordable = int(policy.max_order_usd // row["unit_cost"]) // pack * pack
    # What may actually be proposed: the suggestion, cut to the band and to the per-order maximum.
    proposable = min(suggested, high, affordable)
    mean, lead, available = float(row["mean_daily"]), int(row["lead_time_days"]), int(row["available"])
    days_to_stockout = available / mean if mean > 0 else None
    short = max(0.0, mean * lead - available)
    rejection = _rejection(row, policy)
    blocked = (f"open proposal #{row['open_proposal_id']}" if row["open_proposal_id"] is not None
               else "covered by stock on order" if suggested == 0
               else _rejection_holds(rejection, suggested=suggested, available=available))
    return Assessment(
        reference=row["reference"], name=row["name"], available=int(row["available"]),
        reserved=int(row["reserved"]), on_order=int(row["on_order"]), open_proposal=row["open_proposal_id"],
        daily_demand_mean=round(row["mean_daily"], 3), daily_demand_sd=round(row["sd_daily"], 3),
        lead_time_days=int(row["lead_time_days"]), safety_stock=round(safety, 1), reorder_point=point,
        pack_size=pack, min_order=int(row["min_order_qty"]), unit_cost=row["unit_cost"],
        suggested_quantity=suggested, allowed_quantity=(low, high), max_affordable_quantity=affordable,
        proposable_quantity=proposable if suggested and proposable >= low and blocked is None else 0,
        price=Decimal(row["price"]), days_to_stockout=None if days_to_stockout is None else round(days_to_stockout, 1),
        urgency_days=None if days_to_stockout is None else round(days_to_stockout - lead, 1),
        revenue_at_risk=(Decimal(row["price"]) * Decimal(str(round(short, 2)))).quantize(Decimal("0.01")),
        recent_rejection=rejection, blocked=blocked,
    )


def _rejection(row: dict[str, Any], policy: ReorderPolicy) -> Rejection | None:
    if row.get("rejected_at") is None:
        return None
    return Rejection(quantity=int(row["rejected_quantity"]), reason=row["rejected_reason"],
                     decided_at=row["rejected_at"], available_then=row["rejected_available"],
                     holds_until=row["rejected_at"] + timedelta(days=policy.rejection_cooldown_days))


# A rejection stops applying before its cool-down ends when the picture it was made on has changed
# materially: the suggested quantity moved by this fraction, or the watch sold out since.
MATERIAL_CHANGE = 0.25


def _rejection_holds(rejection: Rejection | None, *, suggested: int, available: int) -> str | None:
    if rejection is None:
        return None
    moved = abs(suggested - rejection.quantity) >= MATERIAL_CHANGE * max(rejection.quantity, 1)
    sold_out = available == 0 and (rejection.available_then or 0) > 0
    if moved or sold_out:
        return None
    reason = f" ({rejection.reason})" if rejection.reason else ""
    return (f"ops rejected {rejection.quantity} units on {rejection.decided_at:%Y-%m-%d}{reason}; that holds until "
            f"{rejection.holds_until:%Y-%m-%d} unless stock or demand changes materially")


def priority(a: Assessment) -> tuple[bool, Decimal, float, str]:
    """Most urgent and valuable first. A watch that will run out before a new order could arrive has
    sales at risk (price x the units short over the lead time): the more, the sooner it is ordered,
    so a fast seller is not left out for a slow limited edition. Watches with nothing at risk follow
    by days to spare (days to stockout minus lead time); blocked watches come last."""
    urgency = a.urgency_days if a.urgency_days is not None else float("inf")
    return a.blocked is not None, -a.revenue_at_risk, urgency, a.reference


def bounds(suggested: int, row: dict[str, Any], policy: ReorderPolicy) -> tuple[int, int]:
    low = max(int(row["min_order_qty"]), int(suggested * policy.band_low))
    high = min(policy.max_units_per_order, max(low, int(suggested * policy.band_high)))
    return low, high


async def low_stock_assessments(conn: Conn, policy: ReorderPolicy) -> list[Assessment]:
    """Every low watch, most urgent first (see `priority`): under a daily cap, order in this order."""
    rows = await repo.low_stock(conn, window_days=policy.demand_window_days,
                                cooldown_days=policy.rejection_cooldown_days)
    return sorted((assess(row, policy) for row in rows), key=priority)


# Every proposal takes this transaction-scoped lock before it reads the day's total and inserts, so
# the daily cap holds whatever the number of workers proposing at once (they queue for a few ms).
_PROPOSE_LOCK = "reorder_proposals.daily_cap"


async def propose(
    conn: Conn, *, reference: str, quantity: int, rationale: str, policy: ReorderPolicy,
    decision_id: uuid.UUID | None, trigger: str,
) -> ProposalPublic | Refusal:
    """Create a proposal inside the guardrails, or say why not. The checks and the insert are one
    transaction under one lock: the daily cap and "one open proposal per watch" hold under races."""
    async with conn.transaction():
        await repo.lock_for_proposals(conn, key=_PROPOSE_LOCK)
        outcome = await _propose_locked(conn, reference=reference, quantity=quantity, rationale=rationale,
                                        policy=policy, decision_id=decision_id, trigger=trigger)
    return outcome if isinstance(outcome, Refusal) else await get(conn, proposal_id=outcome)


async def _propose_locked(
    conn: Conn, *, reference: str, quantity: int, rationale: str, policy: ReorderPolicy,
    decision_id: uuid.UUID | None, trigger: str,
) -> int | Refusal:
    rows = {r["reference"]: r for r in await repo.low_stock(conn, window_days=policy.demand_window_days,
                                                             cooldown_days=policy.rejection_cooldown_days)}
    row = rows.get(reference)
    if row is None:
        known = await repo.watch_for_reorder(conn, reference=reference)
        return Refusal(f"unknown reference {reference!r}" if known is None
                       else f"{reference} is not at or below its reorder point; no reorder needed")
    if row["open_proposal_id"] is not None:
        return Refusal(f"{reference} already has an open proposal (#{row['open_proposal_id']})")
    facts = assess(row, policy)
    low, high = facts.allowed_quantity
    if facts.suggested_quantity == 0:
        return Refusal(f"{reference} is covered by what is on order; suggested quantity is 0")
    if facts.blocked is not None:
        return Refusal(f"{reference}: {facts.blocked}")
    if not low <= quantity <= high:
        return Refusal(f"quantity {quantity} is outside the policy band {low}..{high} for {reference}")
    if quantity % facts.pack_size:
        return Refusal(f"quantity {quantity} is not a whole number of packs of {facts.pack_size}")
    total = row["unit_cost"] * quantity
    if total > policy.max_order_usd:
        return Refusal(f"order value ${total} exceeds the per-order maximum ${policy.max_order_usd}")
    spent = await repo.proposed_today_usd(conn)
    if spent + total > policy.daily_cap_usd:
        return Refusal(f"the daily reorder spend cap ${policy.daily_cap_usd} would be exceeded "
                       f"(${spent} proposed today, this order ${total})")
    auto = policy.auto_approve_below_usd is not None and total < policy.auto_approve_below_usd
    return await repo.insert(
        conn, watch_id=row["watch_id"], quantity=quantity, unit_cost=row["unit_cost"],
        rationale=rationale.strip()[:2000] or "(no rationale given)", inputs=facts.as_tool_data(),
        decision_id=decision_id, trigger=trigger, status="approved" if auto else "pending",
        decided_by="auto-approval" if auto else None)


async def get(conn: Conn, *, proposal_id: int) -> ProposalPublic:
    row = await repo.get(conn, proposal_id=proposal_id)
    if row is None:
        raise ProposalNotFound(f"No reorder proposal {proposal_id}")
    return ProposalPublic.model_validate(row)


async def list_proposals(conn: Conn, *, status: ProposalStatus | None, limit: int = 100) -> list[ProposalPublic]:
    rows = await repo.list_by_status(conn, status=status.value if status else None, limit=limit)
    return [ProposalPublic.model_validate(r) for r in rows]


async def counts_by_status(conn: Conn) -> dict[ProposalStatus, int]:
    """How many proposals are in each status, every status present (0 when none)."""
    counts = await repo.count_by_status(conn)
    return {status: counts.get(status.value, 0) for status in ProposalStatus}


async def decide(conn: Conn, *, proposal_id: int, approve: bool, by: str, reason: str | None) -> ProposalPublic:
    async with conn.transaction():
        row = await repo.get(conn, proposal_id=proposal_id, for_update=True)
        if row is None:
            raise ProposalNotFound(f"No reorder proposal {proposal_id}")
        if row["status"] != ProposalStatus.pending:
            raise ProposalNotPending(f"Proposal {proposal_id} is {row['status']}", status=row["status"])
        await repo.set_status(conn, proposal_id=proposal_id, status="approved" if approve else "rejected", by=by,
                              reason=reason)
    return await get(conn, proposal_id=proposal_id)


async def receive(conn: Conn, *, proposal_id: int, by: str, actor_id: int) -> ProposalPublic:
    """The supplier delivered an approved order: its units go into stock, in the ledger."""
    async with conn.transaction():
        row = await repo.get(conn, proposal_id=proposal_id, for_update=True)
        if row is None:
            raise ProposalNotFound(f"No reorder proposal {proposal_id}")
        if row["status"] != ProposalStatus.approved:
            raise ProposalNotPending(f"Only approved orders can be received; #{proposal_id} is {row['status']}",
                                     status=row["status"])
        balance = await inventory_repo.adjust(conn, watch_id=row["watch_id"], delta=row["quantity"])
        assert balance is not None
        await inventory_repo.record_movement(conn, watch_id=row["watch_id"], delta=row["quantity"], kind="restock",
                                             reason=f"reorder #{proposal_id} received", balance_after=balance,
                                             actor_id=actor_id)
        await repo.set_status(conn, proposal_id=proposal_id, status="received", by=by, reason=None)
    return await get(conn, proposal_id=proposal_id)


async def expire_stale(conn: Conn, *, older_than_hours: int = 72) -> int:
    expired = 0
    for proposal_id in await repo.stale_pending(conn, older_than_hours=older_than_hours):
        async with conn.transaction():
            row = await repo.get(conn, proposal_id=proposal_id, for_update=True)
            if row and row["status"] == ProposalStatus.pending:
                await repo.set_status(conn, proposal_id=proposal_id, status="expired", by="scheduler",
                                      reason=f"not decided within {older_than_hours} h")
                expired += 1
    return expired
