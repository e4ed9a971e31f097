"""Cart schemas."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class CartItemSet(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"quantity": 1}})

    quantity: int = Field(strict=True, gt=0, le=100)


class CartLine(BaseModel):
    reference: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    stock_available: int
    image_url: str


class CartPublic(BaseModel):
    items: list[CartLine]
    total: Decimal
