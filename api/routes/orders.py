"""The caller's orders."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CheckoutRatesDep, ConnDep, CustomerUser, IdempotencyKey, OrderLimitsDep, PaymentsDep, PoolDep
from commerce.customers.models import Role
from commerce.orders import service
from commerce.orders.models import OrderCreate, OrderList, OrderPublic, OrderStatus, RefundRequest
from commerce.payments import refunds

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Place an order (reserves stock; never oversells)",
    responses={
        409: {"description": "Insufficient stock (`insufficient_stock`) or a reused key (`idempotency_key_reused`)"},
        422: {"description": "Invalid body or unknown reference (`unknown_reference`)"},
    },
)
async def place_order(
    data: OrderCreate, principal: CustomerUser, conn: ConnDep, response: Response, limits: OrderLimitsDep,
    rates: CheckoutRatesDep, idempotency_key: IdempotencyKey = None,
) -> OrderPublic:
    order, created = await service.place_order(conn, customer_id=principal.customer_id, data=data,
                                               idempotency_key=idempotency_key, limits=limits, rates=rates)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return order


@router.get("")
async def list_orders(principal: CustomerUser, conn: ConnDep) -> OrderList:
    return OrderList(items=await service.list_orders(conn, customer_id=principal.customer_id))


@router.get("/{order_id}", responses={404: {"description": "No such order of yours (`order_not_found`)"}})
async def get_order(order_id: int, principal: CustomerUser, conn: ConnDep) -> OrderPublic:
    return await service.get_order(conn, order_id=order_id, customer_id=principal.customer_id)


@router.post("/{order_id}/cancel", summary="Cancel an unpaid order; its stock is released",
             responses={409: {"description": "Paid, so refunded instead (`order_paid`), or not cancellable now "
                                             "(`invalid_status_transition`)"}})
async def cancel_order(order_id: int, principal: CustomerUser, conn: ConnDep) -> OrderPublic:
    return await service.change_status(conn, order_id=order_id, new_status=OrderStatus.cancelled,
                                       reason="cancelled by customer", actor_id=principal.customer_id,
                                       owner_id=principal.customer_id)


@router.post(
    "/{order_id}/refund",
    summary="A paid order's money back: a customer's request, or an admin's refund through the provider",
    responses={
        202: {"description": "Requested (customer), or sent and pending at the provider (admin)"},
        409: {"description": "Not refundable (`order_not_refundable`) or refused by the provider (`refund_failed`)"},
        502: {"description": "Provider unreachable (`payment_provider_unavailable`); the refund stays pending"},
    },
)
async def refund_order(
    order_id: int, principal: CustomerUser, pool: PoolDep, payments: PaymentsDep, response: Response,
    data: RefundRequest | None = None,
) -> OrderPublic:
    reason = data.reason if data else None
    if principal.role is Role.admin:
        order = await refunds.refund_order(pool, provider=payments, order_id=order_id,
                                           actor_id=principal.customer_id, reason=reason)
    else:
        order = await refunds.request_refund(pool, order_id=order_id, customer_id=principal.customer_id,
                                             reason=reason)
    if order.status is not OrderStatus.refunded:
        response.status_code = status.HTTP_202_ACCEPTED
    return order
