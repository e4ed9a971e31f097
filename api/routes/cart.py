"""The caller's server-side cart."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CartOwnerDep, CheckoutRatesDep, ConnDep, CustomerUser, IdempotencyKey, OrderLimitsDep, Public
from commerce.cart import service
from commerce.cart.models import CartItemSet, CartPublic
from commerce.orders.models import CheckoutRequest, OrderPublic

router = APIRouter(prefix="/cart", tags=["cart"])
# A guest may fill a cart (kept by a cookie, merged into the customer's cart at sign-in); checking
# out needs an account.


@router.get("", dependencies=[Public], summary="The caller's cart (a signed-in customer's, or this browser's)")
async def get_cart(owner: CartOwnerDep, conn: ConnDep) -> CartPublic:
    return await service.get_cart(conn, owner=owner)


@router.put("/items/{reference}", summary="Set the quantity of a watch in the cart", dependencies=[Public],
            responses={409: {"description": "More than is available (`insufficient_stock`, with `available`)"},
                       422: {"description": "Over the per-order cap (`quantity_limit_exceeded`)"}})
async def set_item(
    reference: str, data: CartItemSet, owner: CartOwnerDep, conn: ConnDep, limits: OrderLimitsDep
) -> CartPublic:
    return await service.set_item(conn, owner=owner, reference=reference, quantity=data.quantity, limits=limits)


@router.delete("/items/{reference}", dependencies=[Public])
async def remove_item(reference: str, owner: CartOwnerDep, conn: ConnDep) -> CartPublic:
    return await service.remove_item(conn, owner=owner, reference=reference)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Public])
async def clear_cart(owner: CartOwnerDep, conn: ConnDep) -> None:
    await service.clear(conn, owner=owner)


@router.post("/checkout", status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "Insufficient stock (code `insufficient_stock`; `lines` lists every "
                                             "short line)"}})
async def checkout(
    principal: CustomerUser, conn: ConnDep, response: Response, limits: OrderLimitsDep, rates: CheckoutRatesDep,
    data: CheckoutRequest | None = None, idempotency_key: IdempotencyKey = None,
) -> OrderPublic:
    """The cart becomes an order: with `shipping` (address and method) the total adds shipping and tax."""
    order, created = await service.checkout(conn, customer_id=principal.customer_id,
                                            idempotency_key=idempotency_key, limits=limits, rates=rates,
                                            shipping=data.shipping if data else None)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return order
