"""Cart schemas."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: a signed-in customer's, or a guest's (the SHA-256 of its cookie)."""

    customer_id: int | None = None
    guest_key: str | None = None

    def __post_init__(self) -> None:
        if (self.customer_id is None) == (self.guest_key is None):
            raise ValueError("a cart belongs to a customer or to a guest")
