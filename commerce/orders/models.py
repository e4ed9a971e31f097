"""Order schemas and the order status machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from commerce.catalog.models import Reference
from commerce.orders.checkout import ShippingAddress, ShippingIn


class OrderStatus(StrEnum):
    pending_payment = "pending_payment"
    paid = "paid"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    refunded = "refunded"


# Which status may follow which. Only an unpaid order is cancelled; a paid one is refunded through
# the payment provider, and its units go back on the shelf then. A cancelled order can still be
# refunded: a payment that landed after the order expired (its stock was already released).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.pending_payment: frozenset({OrderStatus.paid, OrderStatus.cancelled}),
    OrderStatus.paid: frozenset({OrderStatus.shipped, OrderStatus.refunded}),
    OrderStatus.shipped: frozenset({OrderStatus.delivered}),
    OrderStatus.delivered: frozenset(),
    OrderStatus.cancelled: frozenset({OrderStatus.refunded}),
    OrderStatus.refunded: frozenset(),
}
# What a person may set by hand (ops console, PATCH /admin/orders): `refunded` only ever follows a
# refund the provider confirmed.
MANUAL_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    status: nexts - {OrderStatus.refunded} for status, nexts in TRANSITIONS.items()
}

MAX_LINES = 50
MAX_QUANTITY = 1_000_000


@dataclass(frozen=True)
class OrderLimits:
    """Caps that keep one shopper from reserving the shelf for the payment window (SEIKO_ORDER_*,
    SEIKO_CUSTOMER_* settings). A request over a quantity cap is refused whatever the stock; the
    per-customer caps count the orders still waiting for payment, this one included."""

    max_line_quantity: int = 10
    max_order_units: int = 25
    max_unpaid_orders: int = 5
    max_reserved_value: Decimal = Decimal("20000.00")


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: Reference
    # strict: "2" or 2.0 is a client bug, not a quantity.
    quantity: int = Field(strict=True, gt=0, le=MAX_QUANTITY)


class OrderCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"items": [{"reference": "SRPD55K1", "quantity": 1}], "shipping": {
            "method": "standard", "address": {"name": "Ana Silva", "line1": "1 Market St", "city": "San Francisco",
                                              "region": "CA", "postal_code": "94105", "country": "US"}}}},
    )

    items: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)
    # Optional for API clients (collected in store, no tax); the web checkout always sends it.
    shipping: ShippingIn | None = None


class CheckoutRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shipping: ShippingIn | None = None


class OrderLine(BaseModel):
    reference: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


class PaymentSummary(BaseModel):
    """The latest payment attempt; `simulated` is true when no real money moved."""

    provider: str
    simulated: bool
    status: str
    intent_id: str
    amount_cents: int
    failure_reason: str | None = None


class RefundStatus(StrEnum):
    requested = "requested"  # by the customer; an admin makes the refund
    pending = "pending"  # sent to the provider, its answer not in yet
    succeeded = "succeeded"
    failed = "failed"


class RefundSummary(BaseModel):
    """The order's latest refund (or refund request)."""

    status: RefundStatus
    amount_cents: int
    provider: str
    reason: str | None = None
    failure_reason: str | None = None
    created_at: datetime


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"reason": "Changed my mind"}})

    reason: str | None = Field(None, max_length=500)


class Confirmation(BaseModel):
    """The order confirmation queued for the customer when the order was paid."""

    order_number: str
    sent_to: str
    created_at: datetime


class OrderPublic(BaseModel):
    id: int
    status: OrderStatus
    items: list[OrderLine]
    subtotal: Decimal
    shipping_method: str | None = None
    shipping_cost: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal  # subtotal + shipping_cost + tax, to the cent; what the payment intent charges
    ship_to: ShippingAddress | None = None
    currency: str
    created_at: datetime
    updated_at: datetime
    paid_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    refunded_at: datetime | None = None
    payment: PaymentSummary | None = None
    refund: RefundSummary | None = None
    confirmation: Confirmation | None = None


class OrderAdmin(OrderPublic):
    customer_id: int
    customer_email: str


class OrderList(BaseModel):
    items: list[OrderPublic]


class OrderAdminList(BaseModel):
    items: list[OrderAdmin]
    total: int
    limit: int
    offset: int


class StatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: OrderStatus
    reason: str | None = Field(None, max_length=500)
