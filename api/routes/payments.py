"""Paying for orders: start a payment, Stripe's webhook, and the simulated provider's outcomes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, status

from api.deps import CustomerUser, PaymentsDep, PoolDep, Public
from commerce.errors import PaymentsNotConfigured
from commerce.orders.models import OrderPublic
from commerce.payments import service, webhooks
from commerce.payments.models import PaymentConfig, PaymentStart, SimulateRequest, WebhookAck

router = APIRouter(tags=["payments"])


@router.get("/payments/config", dependencies=[Public], summary="Which payment provider is active")
async def payment_config(payments: PaymentsDep) -> PaymentConfig:
    return PaymentConfig(provider=payments.name, simulated=payments.simulated,
                         publishable_key=payments.publishable_key)


@router.post("/orders/{order_id}/payment", status_code=status.HTTP_201_CREATED,
             summary="Start (or resume) paying for an order: returns the PaymentIntent's client secret",
             responses={409: {"description": "Order not payable (`order_not_payable`)"},
                        502: {"description": "Provider unreachable (`payment_provider_unavailable`)"}})
async def start_payment(order_id: int, principal: CustomerUser, pool: PoolDep, payments: PaymentsDep) -> PaymentStart:
    # The pool, not a connection: none may be held while Stripe answers.
    return await service.start_payment(pool, provider=payments, order_id=order_id, customer_id=principal.customer_id)


@router.post("/orders/{order_id}/payment/simulate",
             summary="Simulated provider only: succeed or fail the order's payment, as a webhook would",
             responses={404: {"description": "Stripe is configured, or no such order of yours"}})
async def simulate_payment(
    order_id: int, data: SimulateRequest, principal: CustomerUser, pool: PoolDep, payments: PaymentsDep
) -> OrderPublic:
    if not payments.simulated:
        raise PaymentsNotConfigured("Payments go through Stripe; there is nothing to simulate")
    return await service.simulate(pool, provider=payments, order_id=order_id, customer_id=principal.customer_id,
                                  succeeded=data.outcome == "succeeded")


@router.post("/payments/stripe/webhook", dependencies=[Public], summary="Stripe's webhook (Stripe-Signature)",
             responses={400: {"description": "Bad signature (`invalid_signature`)"},
                        404: {"description": "Stripe is not configured"}})
async def stripe_webhook(
    request: Request, pool: PoolDep, payments: PaymentsDep,
    stripe_signature: Annotated[str | None, Header(alias="Stripe-Signature")] = None,
) -> WebhookAck:
    secret: str | None = request.app.state.stripe_webhook_secret
    if payments.simulated or not secret:
        raise PaymentsNotConfigured("Stripe webhooks are not configured")
    outcome = await webhooks.handle_stripe_event(pool, provider=payments, payload=await request.body(),
                                                 signature=stripe_signature, secret=secret)
    return WebhookAck(outcome=outcome.applied)
