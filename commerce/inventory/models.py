"""Inventory schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"example": {"delta": 12, "reason": "restock: supplier delivery #4411"}}
    )

    delta: int = Field(strict=True, ge=-100_000, le=100_000, description="Units to add (negative to remove)")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]

    @field_validator("delta")
    @classmethod
    def _nonzero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("an adjustment must change stock")
        return value


class AdjustmentOut(BaseModel):
    reference: str
    delta: int
    stock_available: int
    reason: str


class Movement(BaseModel):
    id: int
    delta: int
    kind: str
    reason: str
    balance_after: int
    order_id: int | None
    actor_email: str | None
    created_at: datetime


class MovementList(BaseModel):
    items: list[Movement]
