"""The caller's server-side cart."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import ConnDep, CustomerUser, IdempotencyKey, OrderLimitsDep
from commerce.cart import service
from commerce.cart.models import CartItemSet, CartPublic
from commerce.orders.models import OrderPublic

router = APIRouter(prefix="/cart", tags=["cart"])


@router.get("")
async def get_cart(principal: CustomerUser, conn: ConnDep) -> CartPublic:
    return await service.get_cart(conn, customer_id=principal.customer_id)


@router.put("/items/{reference}", summary="Set the quantity of a watch in the cart",
            responses={409: {"description": "More than is available (`insufficient_stock`, with `available`)"},
                       422: {"description": "Over the per-order cap (`quantity_limit_exceeded`)"}})
async def set_item(
    reference: str, data: CartItemSet, principal: CustomerUser, conn: ConnDep, limits: OrderLimitsDep
) -> CartPublic:
    return await service.set_item(conn, customer_id=principal.customer_id, reference=reference,
                                  quantity=data.quantity, limits=limits)


@router.delete("/items/{reference}")
async def remove_item(reference: str, principal: CustomerUser, conn: ConnDep) -> CartPublic:
    return await service.remove_item(conn, customer_id=principal.customer_id, reference=reference)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def clear_cart(principal: CustomerUser, conn: ConnDep) -> None:
    await service.clear(conn, customer_id=principal.customer_id)


@router.post("/checkout", status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "Insufficient stock (code `insufficient_stock`; `lines` lists every "
                                             "short line)"}})
async def checkout(
    principal: CustomerUser, conn: ConnDep, response: Response, limits: OrderLimitsDep,
    idempotency_key: IdempotencyKey = None,
) -> OrderPublic:
    order, created = await service.checkout(conn, customer_id=principal.customer_id,
                                            idempotency_key=idempotency_key, limits=limits)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return order
