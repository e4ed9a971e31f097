"""Reorder proposals and the policy that bounds them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
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
    service_level: float = 0.95
    demand_window_days: int = 90
    cover_days: float = 30.0
    band_low: float = 0.5  # a proposal may be this fraction of the suggested quantity...
    band_high: float = 1.5  # ...up to this multiple of it
    max_units_per_order: int = 500
    max_order_usd: Decimal = Decimal("20000")
    daily_cap_usd: Decimal = Decimal("60000")
    auto_approve_below_usd: Decimal | None = None  # off unless configured

    def as_prompt_policy(self) -> dict[str, Any]:
        return {"service_level": self.service_level, "quantity_band": f"{self.band_low}x to {self.band_high}x "
                "the suggested quantity", "max_units_per_order": self.max_units_per_order,
                "max_order_usd": str(self.max_order_usd), "daily_cap_usd": str(self.daily_cap_usd)}


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
