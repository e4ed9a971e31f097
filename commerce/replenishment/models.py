"""Reorder proposals and the policy that bounds them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from commerce.forecasting.demand import DemandClass


class ProposalStatus(StrEnum):
    pending = "pending"
    approved = "approved"  # a purchase order with the supplier: counts as on order
    rejected = "rejected"
    expired = "expired"
    received = "received"  # the order arrived and its units were added to stock


@dataclass(frozen=True)
class ReorderPolicy:
    """The bounds every proposal is held to. No defaults here: the settings are their one source."""

    fill_rates: Mapping[DemandClass, float]  # share of demanded units served from stock, per class
    cover_days: float  # each order covers this many days of forecast demand
    band_low: float  # a proposal may be this fraction of the suggested quantity...
    band_high: float  # ...up to this multiple of it
    max_units_per_order: int
    max_order_usd: Decimal
    daily_cap_usd: Decimal
    auto_approve_below_usd: Decimal | None  # None: every proposal waits for a person
    rejection_cooldown_days: int  # a rejection holds this long unless the inputs change materially
    autonomy_min_proposals: int  # decided proposals of a class before it may earn auto-approval
    autonomy_min_approval: float  # Wilson lower bound of "approved unchanged" it must reach
    earned_autonomy: bool  # False: no class is auto-approved whatever its record (the ops kill switch)

    def as_prompt_policy(self) -> dict[str, Any]:
        return {"fill_rate_targets": {str(k): v for k, v in self.fill_rates.items()},
                "quantity_band": f"{self.band_low}x to {self.band_high}x the suggested quantity",
                "max_units_per_order": self.max_units_per_order, "max_order_usd": str(self.max_order_usd),
                "daily_cap_usd": str(self.daily_cap_usd)}


@dataclass(frozen=True)
class ForecastFacts:
    """The forecast a watch's reorder figures come from, as a decision card shows it."""

    model: str
    demand_class: str
    daily_mean: float  # over the days the order serves: the plain-day forecast x the seasons' lift
    daily_sd: float
    seasonal_lift: float  # the gift seasons' mean lift over those days (1.0 outside them)
    mase: float | None  # backtest error; None when there was too little history to backtest
    observations: int
    censored_days: int  # out-of-stock days left out of the fit
    interval: dict[str, float]  # lead-time demand: level, low, high, horizon_days


@dataclass(frozen=True)
class Assessment:
    """One low-stock watch as the stock agent sees it: stock, the demand forecast, the reorder
    policy's figures, the quantities the guardrails allow, and what is at stake."""

    watch_id: int
    reference: str
    name: str
    available: int
    reserved: int
    on_order: int
    open_proposal: int | None
    forecast: ForecastFacts | None  # None: not forecast yet (a new watch before the next refit)
    daily_demand_mean: float
    daily_demand_sd: float
    lead_time_days: int
    lead_time_sd_days: float
    fill_rate_target: float
    safety_stock: float  # reorder level minus mean lead-time demand
    reorder_point: int
    order_up_to: int
    pack_size: int
    min_order: int
    unit_cost: Decimal
    suggested_quantity: int
    allowed_quantity: tuple[int, int]
    max_affordable_quantity: int
    proposable_quantity: int
    price: Decimal
    days_to_stockout: float | None  # available / forecast daily demand; None when nothing sells
    urgency_days: float | None  # days to stockout minus the lead time: below 0, a new order arrives too late
    projected_stockout_date: date | None
    last_order_date: date | None  # order by this day for delivery before the stockout (lead time + 1 sd)
    revenue_at_risk: Decimal  # price x units expected short over the lead time if nothing is ordered now
    recent_rejection: Rejection | None
    blocked: str | None  # why nothing may be proposed now (open proposal, covered, rejection holding)

    def as_tool_data(self) -> dict[str, Any]:
        """The JSON the model reads (and the proposal stores as its inputs); money as a string."""
        data = asdict(self)
        for key in ("unit_cost", "price", "revenue_at_risk"):
            data[key] = str(data[key])
        for key in ("projected_stockout_date", "last_order_date"):
            data[key] = None if data[key] is None else data[key].isoformat()
        data["allowed_quantity"] = list(self.allowed_quantity)
        if self.recent_rejection is not None:
            data["recent_rejection"] = self.recent_rejection.as_tool_data()
        return data


@dataclass(frozen=True)
class Rejection:
    """Ops' latest "no" to a reorder of a watch, within the cool-down."""

    quantity: int
    suggested: int  # what the reorder math suggested then (the proposal may have been cut below it)
    reason: str | None
    decided_at: datetime
    available_then: int | None
    holds_until: datetime

    def as_tool_data(self) -> dict[str, Any]:
        return {"quantity": self.quantity, "reason": self.reason, "decided_at": self.decided_at.isoformat(),
                "available_then": self.available_then, "holds_until": self.holds_until.isoformat()}


class LeadTimeInterval(BaseModel):
    level: float  # e.g. 0.8 for the 10%..90% quantiles
    low: float
    high: float
    horizon_days: int  # the supplier's mean lead time the demand is summed over


class ForecastCard(BaseModel):
    model: str  # the statsforecast model the backtest picked (or "window-mean" on short history)
    demand_class: str
    daily_mean: float
    daily_sd: float
    seasonal_lift: float = 1.0
    mase: float | None
    observations: int
    censored_days: int
    interval: LeadTimeInterval


class ProposalPublic(BaseModel):
    """A proposal with its decision card: the forecast and what it implies, read from the figures the
    proposal was made on (older proposals, from before cards, have them empty)."""

    id: int
    reference: str
    name: str
    quantity: int
    proposed_quantity: int  # what the agent proposed; differs from quantity when ops changed it
    demand_class: str | None
    forecast: ForecastCard | None = None
    projected_stockout_date: date | None = None
    last_order_date: date | None = None
    revenue_at_risk: Decimal | None = None
    days_of_cover_after: float | None = None
    left_out: list[str] = []
    unit_cost: Decimal
    total_cost: Decimal
    status: ProposalStatus
    rationale: str
    inputs: dict[str, Any]
    decision_id: uuid.UUID | None
    trigger: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    received_at: datetime | None
    outcome_stockout_days: int | None
    outcome_overstock_value: Decimal | None

    @model_validator(mode="before")
    @classmethod
    def _card_from_inputs(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("inputs"), dict) and "card" in data["inputs"]:
            data = {**data["inputs"]["card"], **data}
        return data


class ProposalList(BaseModel):
    items: list[ProposalPublic]


class DecisionNote(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"reason": "supplier promo next week"}})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class ApprovalNote(BaseModel):
    """Approve as proposed, or with the quantity ops settle on (recorded: it is how autonomy is earned)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"reason": "as proposed"}})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)] | None = None
    quantity: int | None = Field(None, strict=True, ge=1, le=100_000)


class AutonomyState(BaseModel):
    demand_class: str
    enabled: bool
    changed_at: datetime
    reason: str
    evidence: dict[str, Any]
