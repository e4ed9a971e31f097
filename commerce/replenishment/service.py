"""Reorder proposals: what the stock agent may propose (guardrails), and what ops do with them."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from commerce.errors import Conflict, InvalidInput, NotFound
from commerce.forecasting import repo as forecast_repo
from commerce.forecasting.demand import DemandClass
from commerce.forecasting.models import WINDOW_MEAN
from commerce.forecasting.policy import INTERVAL, Plan, horizon_days, plan
from commerce.forecasting.seasons import horizon_factor
from commerce.inventory import repo as inventory_repo
from commerce.replenishment import repo
from commerce.replenishment.models import (
    Assessment,
    ForecastFacts,
    ProposalPublic,
    ProposalStatus,
    Rejection,
    ReorderPolicy,
)
from common.retail_calendar import Season
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


def assess(row: dict[str, Any], policy: ReorderPolicy, lifts: Mapping[Season, float]) -> Assessment:
    """The inputs a proposal is judged on, for one low-stock watch (pure arithmetic over its forecast).

    The (s, S) figures come from the watch's forecast, lifted by the gift seasons the order will serve
    (`lifts`), and its supplier's lead time (mean and spread) at the fill rate its demand class
    targets; see commerce/forecasting/policy.py."""
    lead, lead_sd = int(row["lead_time_days"]), float(row["lead_time_sd_days"])
    pack, minimum = int(row["pack_size"]), int(row["min_order_qty"])
    today: date = row["today"]
    lift = horizon_factor(today, horizon_days(lead, policy.cover_days), lifts)
    known = row.get("forecast_model") is not None
    demand_class = DemandClass(row["demand_class"]) if known else DemandClass.intermittent
    fill_rate = policy.fill_rates[demand_class]
    figures = plan(daily_mean=row["forecast_mean"] if known else 0.0, daily_sd=row["forecast_sd"] if known else 0.0,
                   lead_time_days=lead, lead_time_sd_days=lead_sd, fill_rate=fill_rate,
                   cover_days=policy.cover_days, pack_size=pack, min_order=minimum, demand_factor=lift)
    forecast = _forecast_facts(row, figures, lift) if known else None
    mean = forecast.daily_mean if forecast else 0.0
    sd = forecast.daily_sd if forecast else 0.0
    available = int(row["available"])
    position = available + int(row["on_order"])
    suggested = figures.quantity_for(position, pack_size=pack, min_order=minimum)
    low, high = bounds(suggested, row, policy)
    affordable = int(policy.max_order_usd // row["unit_cost"]) // pack * pack
    # What may actually be proposed: the suggestion, cut to the band and to the per-order maximum.
    proposable = min(suggested, high, affordable)
    days_to_stockout = available / mean if mean > 0 else None
    stockout = today + timedelta(days=math.floor(days_to_stockout)) if days_to_stockout is not None else None
    # Expected units short before anything ordered later could arrive: the stock and what is
    # already on order against the lead-time demand.
    short = figures.lead_time_demand.expected_shortage(position)
    rejection = _rejection(row, policy)
    blocked = (f"open proposal #{row['open_proposal_id']}" if row["open_proposal_id"] is not None
               else "no demand forecast yet" if forecast is None
               else "covered by stock on order" if suggested == 0
               else _rejection_holds(rejection, suggested=suggested, available=available))
    return Assessment(
        watch_id=int(row["watch_id"]), reference=row["reference"], name=row["name"], available=available,
        reserved=int(row["reserved"]), on_order=int(row["on_order"]), open_proposal=row["open_proposal_id"],
        forecast=forecast, daily_demand_mean=round(mean, 3), daily_demand_sd=round(sd, 3),
        lead_time_days=lead, lead_time_sd_days=lead_sd, fill_rate_target=fill_rate,
        safety_stock=round(figures.reorder_level - figures.lead_time_demand.mean, 1),
        reorder_point=figures.reorder_level, order_up_to=figures.order_up_to,
        pack_size=pack, min_order=minimum, unit_cost=row["unit_cost"],
        suggested_quantity=suggested, allowed_quantity=(low, high), max_affordable_quantity=affordable,
        proposable_quantity=proposable if suggested and proposable >= low and blocked is None else 0,
        price=Decimal(row["price"]), days_to_stockout=None if days_to_stockout is None else round(days_to_stockout, 1),
        urgency_days=None if days_to_stockout is None else round(days_to_stockout - lead, 1),
        projected_stockout_date=stockout,
        last_order_date=None if stockout is None else stockout - timedelta(days=math.ceil(lead + lead_sd)),
        revenue_at_risk=(Decimal(row["price"]) * Decimal(str(round(short, 2)))).quantize(Decimal("0.01")),
        recent_rejection=rejection, blocked=blocked,
    )


def _forecast_facts(row: dict[str, Any], figures: Plan, lift: float) -> ForecastFacts:
    low, high = figures.interval
    return ForecastFacts(model=row["forecast_model"], demand_class=row["demand_class"],
                         daily_mean=round(row["forecast_mean"] * lift, 3),
                         daily_sd=round(row["forecast_sd"] * math.sqrt(lift), 3), seasonal_lift=round(lift, 3),
                         mase=row["forecast_mase"], observations=int(row["forecast_observations"]),
                         censored_days=int(row["censored_days"]),
                         interval={"level": round(INTERVAL[1] - INTERVAL[0], 2), "low": low, "high": high,
                                   "horizon_days": int(row["lead_time_days"])})


def decision_card(facts: Assessment, *, quantity: int) -> dict[str, Any]:
    """What ops read before saying yes or no, fixed when the proposal is made: the forecast and its
    interval, when the watch runs out and the last day to order, the sales at risk if they say no,
    the days of cover the order buys, and what the figures left out or cut, and why."""
    mean = facts.daily_demand_mean
    position = facts.available + facts.on_order
    left_out = []
    if facts.forecast and facts.forecast.censored_days:
        left_out.append(f"{facts.forecast.censored_days} out-of-stock days left out of the forecast (demand then "
                        "was unseen, not zero)")
    if facts.forecast and facts.forecast.model == WINDOW_MEAN:
        left_out.append("too little history to backtest: the forecast is the plain mean of the days observed")
    if quantity < facts.suggested_quantity:
        left_out.append(f"{facts.suggested_quantity - quantity} units of the suggested {facts.suggested_quantity} "
                        "cut by the guardrails (per-order maximum, band or budget)")
    if facts.suggested_quantity and facts.suggested_quantity > facts.order_up_to - position:
        left_out.append(f"rounded up to whole packs of {facts.pack_size} (minimum order {facts.min_order})")
    return {
        "demand_class": facts.forecast.demand_class if facts.forecast else None,
        "forecast": asdict(facts.forecast) if facts.forecast else None,
        "projected_stockout_date": facts.projected_stockout_date.isoformat() if facts.projected_stockout_date else None,
        "last_order_date": facts.last_order_date.isoformat() if facts.last_order_date else None,
        "revenue_at_risk": str(facts.revenue_at_risk),
        "days_of_cover_after": round((position + quantity) / mean, 1) if mean > 0 else None,
        "left_out": left_out,
    }


def _rejection(row: dict[str, Any], policy: ReorderPolicy) -> Rejection | None:
    if row.get("rejected_at") is None:
        return None
    suggested = row.get("rejected_suggested")
    return Rejection(quantity=int(row["rejected_quantity"]),
                     suggested=int(suggested) if suggested is not None else int(row["rejected_quantity"]),
                     reason=row["rejected_reason"],
                     decided_at=row["rejected_at"], available_then=row["rejected_available"],
                     holds_until=row["rejected_at"] + timedelta(days=policy.rejection_cooldown_days))


# A rejection stops applying before its cool-down ends when the picture it was made on has changed
# materially: the suggested quantity moved by this fraction, or the watch sold out since.
MATERIAL_CHANGE = 0.25


def _rejection_holds(rejection: Rejection | None, *, suggested: int, available: int) -> str | None:
    if rejection is None:
        return None
    # Compared suggestion with suggestion: the rejected quantity may have been cut by the guardrails.
    moved = abs(suggested - rejection.suggested) >= MATERIAL_CHANGE * max(rejection.suggested, 1)
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
    rows = await repo.low_stock(conn, cooldown_days=policy.rejection_cooldown_days)
    lifts = await _lifts(conn)
    return sorted((assess(row, policy, lifts) for row in rows), key=priority)


async def _lifts(conn: Conn) -> dict[Season, float]:
    stored = await forecast_repo.lifts(conn)
    return {season: stored.get(season.value, 1.0) for season in Season}


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
    rows = {r["reference"]: r for r in await repo.low_stock(conn, cooldown_days=policy.rejection_cooldown_days)}
    row = rows.get(reference)
    if row is None:
        known = await repo.watch_for_reorder(conn, reference=reference)
        return Refusal(f"unknown reference {reference!r}" if known is None
                       else f"{reference} is not at or below its reorder point; no reorder needed")
    if row["open_proposal_id"] is not None:
        return Refusal(f"{reference} already has an open proposal (#{row['open_proposal_id']})")
    facts = assess(row, policy, await _lifts(conn))
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
    demand_class = facts.forecast.demand_class if facts.forecast else None
    earned = (policy.earned_autonomy and demand_class is not None
              and await repo.autonomy_enabled(conn, demand_class=demand_class))
    small = policy.auto_approve_below_usd is not None and total < policy.auto_approve_below_usd
    approver = (f"earned autonomy ({demand_class})" if earned else "auto-approval" if small else None)
    inputs = facts.as_tool_data() | {"card": decision_card(facts, quantity=quantity)}
    return await repo.insert(
        conn, watch_id=row["watch_id"], quantity=quantity, unit_cost=row["unit_cost"],
        rationale=rationale.strip()[:2000] or "(no rationale given)", inputs=inputs, demand_class=demand_class,
        decision_id=decision_id, trigger=trigger, status="approved" if approver else "pending", decided_by=approver)


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


async def decide(conn: Conn, *, proposal_id: int, approve: bool, by: str, reason: str | None,
                 quantity: int | None = None) -> ProposalPublic:
    """Approve (as proposed, or with the quantity ops chose) or reject. A changed quantity is held to
    the same pack size and per-order maximum as the agent's; the agent's own stays on record."""
    async with conn.transaction():
        row = await repo.get(conn, proposal_id=proposal_id, for_update=True)
        if row is None:
            raise ProposalNotFound(f"No reorder proposal {proposal_id}")
        if row["status"] != ProposalStatus.pending:
            raise ProposalNotPending(f"Proposal {proposal_id} is {row['status']}", status=row["status"])
        if approve and quantity is not None and quantity != row["quantity"]:
            _check_changed_quantity(row, quantity)
            await repo.change_quantity(conn, proposal_id=proposal_id, quantity=quantity)
        await repo.set_status(conn, proposal_id=proposal_id, status="approved" if approve else "rejected", by=by,
                              reason=reason)
    return await get(conn, proposal_id=proposal_id)


class QuantityNotAllowed(InvalidInput):
    code = "reorder_quantity_not_allowed"
    title = "That quantity cannot be ordered"


def _check_changed_quantity(row: dict[str, Any], quantity: int) -> None:
    pack = int(row["inputs"].get("pack_size", 1))
    if quantity % pack:
        raise QuantityNotAllowed(f"{quantity} is not a whole number of packs of {pack}", pack_size=pack)
    minimum = int(row["inputs"].get("min_order", 1))
    if quantity < minimum:
        raise QuantityNotAllowed(f"the supplier's minimum order is {minimum}", min_order=minimum)


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


async def autonomy(conn: Conn) -> list[dict[str, Any]]:
    """Each demand class's earned-autonomy state, as last judged, with its evidence."""
    return await repo.autonomy_states(conn)
