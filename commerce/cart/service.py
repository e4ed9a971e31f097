"""The server-side cart, and checkout that turns it into an order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from commerce.cart import repo
from commerce.cart.models import CartLine, CartOwner, CartPublic
from commerce.catalog import repo as catalog_repo
from commerce.catalog.service import image_url
from commerce.errors import EmptyCart, InsufficientStock, QuantityLimitExceeded, WatchNotFound
from commerce.orders import service as orders
from commerce.orders.checkout import CheckoutRates, ShippingIn
from commerce.orders.models import OrderCreate, OrderLimits, OrderLineIn, OrderPublic
from db.pool import Conn


async def get_cart(conn: Conn, *, owner: CartOwner) -> CartPublic:
    rows = await repo.lines(conn, owner=owner)
    items = [
        CartLine(**r, line_total=r["unit_price"] * r["quantity"], image_url=image_url(r["reference"]))
        for r in rows
    ]
    return CartPublic(items=items, total=sum((i.line_total for i in items), Decimal("0.00")))


async def set_item(
    conn: Conn, *, owner: CartOwner, reference: str, quantity: int, limits: OrderLimits
) -> CartPublic:
    """Set a line's quantity; refused at once when the shelf or the per-order cap cannot honour it."""
    watch = await catalog_repo.get_watch(conn, reference=reference)
    if watch is None:
        raise WatchNotFound(f"No watch with reference {reference!r}", reference=reference)
    check_quantity(watch, quantity, limits)
    await repo.upsert(conn, owner=owner, watch_id=watch["id"], quantity=quantity)
    return await get_cart(conn, owner=owner)


def check_quantity(watch: dict[str, Any], quantity: int, limits: OrderLimits) -> None:
    available = int(watch["stock_available"])
    if quantity > available:
        detail = (f"{watch['reference']} is out of stock" if available == 0
                  else f"Only {available} of {watch['reference']} available; {quantity} requested")
        raise InsufficientStock(detail, reference=watch["reference"], requested=quantity, available=available)
    if quantity > limits.max_line_quantity:
        raise QuantityLimitExceeded(f"At most {limits.max_line_quantity} of one watch per order",
                                    limit="line_quantity", allowed=limits.max_line_quantity,
                                    references=[watch["reference"]])


async def remove_item(conn: Conn, *, owner: CartOwner, reference: str) -> CartPublic:
    watch = await catalog_repo.get_watch(conn, reference=reference, include_inactive=True)
    if watch is None:
        raise WatchNotFound(f"No watch with reference {reference!r}", reference=reference)
    await repo.remove(conn, owner=owner, watch_id=watch["id"])
    return await get_cart(conn, owner=owner)


async def clear(conn: Conn, *, owner: CartOwner) -> None:
    await repo.clear(conn, owner=owner)


async def merge_guest_cart(conn: Conn, *, guest_key: str, customer_id: int, limits: OrderLimits) -> int:
    """At sign-in the guest's cart joins the customer's (quantities added), so nothing is lost."""
    return await repo.merge_guest(conn, guest_key=guest_key, customer_id=customer_id,
                                  max_quantity=limits.max_line_quantity)


async def checkout(
    conn: Conn, *, customer_id: int, idempotency_key: str | None, limits: OrderLimits, rates: CheckoutRates,
    shipping: ShippingIn | None = None,
) -> tuple[OrderPublic, bool]:
    """Place an order for the cart's contents; the cart empties only when the order exists. A retry
    with the same Idempotency-Key answers with the order the first attempt placed, even when that
    attempt emptied the cart, or died between placing the order and emptying it."""
    if idempotency_key:
        earlier = await orders.replay(conn, customer_id=customer_id, idempotency_key=idempotency_key)
        if earlier is not None:
            await repo.remove_references(conn, customer_id=customer_id,
                                         references=[line.reference for line in earlier.items])
            return earlier, False
    owner = CartOwner(customer_id=customer_id)
    cart = await get_cart(conn, owner=owner)
    if not cart.items:
        raise EmptyCart("The cart is empty")
    request = OrderCreate(items=[OrderLineIn(reference=i.reference, quantity=i.quantity) for i in cart.items],
                          shipping=shipping)
    order, created = await orders.place_order(
        conn, customer_id=customer_id, data=request, idempotency_key=idempotency_key, limits=limits, rates=rates
    )
    await repo.clear(conn, owner=owner)
    return order, created
