"""Reorder proposals and the policy that bounds them."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints


class ProposalStatus(StrEnum):
    pending = "pending"
    approved = "approved"  # a purchase order with the supplier: counts as on order
    rejected = "rejected"
    expired = "expired"
    received = "received"  # the order arrived and its units were added to stock


@dataclass(frozen=True)
class ReorderPolicy:
    """The bounds every proposal is held to. No defaults here: the settings are their one source."""

    service_level: float
    demand_window_days: int
    cover_days: float
    band_low: float  # a proposal may be this fraction of the suggested quantity...
    band_high: float  # ...up to this multiple of it
    max_units_per_order: int
    max_order_usd: Decimal
    daily_cap_usd: Decimal
    auto_approve_below_usd: Decimal | None  # None: every proposal waits for a person
    rejection_cooldown_days: int  # a rejection holds this long unless the inputs change materially

    def as_prompt_policy(self) -> dict[str, Any]:
        return {"service_level": self.service_level, "quantity_band": f"{self.band_low}x to {self.band_high}x "
                "the suggested quantity", "max_units_per_order": self.max_units_per_order,
                "max_order_usd": str(self.max_order_usd), "daily_cap_usd": str(self.daily_cap_usd)}


@dataclass(frozen=True)
class Assessment:
    """One low-stock watch as the stock agent sees it: stock, demand, the reorder math and the
    quantities the policy allows."""

    reference: str
    name: str
    available: int
    reserved: int
    on_order: int
    open_proposal: int | None
    daily_demand_mean: float
    daily_demand_sd: float
    lead_time_days: int
    safety_stock: float
    reorder_point: int
    pack_size: int
    min_order: int
    unit_cost: Decimal
    suggested_quantity: int
    allowed_quantity: tuple[int, int]
    max_affordable_quantity: int
    proposable_quantity: int
    price: Decimal
    days_to_stockout: float | None  # available / mean daily demand; None when nothing sells
    urgency_days: float | None  # days to stockout minus the lead time: below 0, a new order arrives too late
    revenue_at_risk: Decimal  # price x units short over the lead time if nothing is ordered
    recent_rejection: Rejection | None
    blocked: str | None  # why nothing may be proposed now (open proposal, covered, rejection holding)

    def as_tool_data(self) -> dict[str, Any]:
        """The JSON the model reads (and the proposal stores as its inputs); money as a string."""
        data = asdict(self)
        for key in ("unit_cost", "price", "revenue_at_risk"):
            data[key] = str(data[key])
        data["allowed_quantity"] = list(self.allowed_quantity)
        if self.recent_rejection is not None:
            data["recent_rejection"] = self.recent_rejection.as_tool_data()
        return data


@dataclass(frozen=True)
class Rejection:
    """Ops' latest "no" to a reorder of a watch, within the cool-down."""

    quantity: int
    reason: str | None
    decided_at: datetime
    available_then: int | None
    holds_until: datetime

    def as_tool_data(self) -> dict[str, Any]:
        return {"quantity": self.quantity, "reason": self.reason, "decided_at": self.decided_at.isoformat(),
                "available_then": self.available_then, "holds_until": self.holds_until.isoformat()}


class ProposalPublic(BaseModel):
    id: int
    reference: str
    name: str
    quantity: int
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


class ProposalList(BaseModel):
    items: list[ProposalPublic]


class DecisionNote(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"reason": "supplier promo next week"}})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
