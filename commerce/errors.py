"""The commerce part of the error tree: each error carries a stable `code` (kinds in common.errors)."""

from __future__ import annotations

from common.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
    UpstreamFailure,
)

__all__ = ["BadRequest", "Conflict", "DomainError", "Forbidden", "InvalidInput", "NotFound", "TooManyRequests",
           "Unauthorized", "UpstreamFailure"]


class WatchNotFound(NotFound):
    code = "watch_not_found"
    title = "Watch not found"


class OrderNotFound(NotFound):
    code = "order_not_found"
    title = "Order not found"


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    title = "Customer not found"


class UnknownReference(InvalidInput):
    code = "unknown_reference"
    title = "Unknown watch reference"


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    title = "Insufficient stock"


class StockWouldGoNegative(Conflict):
    code = "stock_would_go_negative"
    title = "Adjustment would make stock negative"


class InvalidStatusTransition(Conflict):
    code = "invalid_status_transition"
    title = "Invalid order status transition"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    title = "Idempotency key reused with a different request"


class EmailTaken(Conflict):
    code = "email_taken"
    title = "Email already registered"


class ReferenceTaken(Conflict):
    code = "reference_taken"
    title = "Reference already exists"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    title = "Invalid email or password"


class LoginThrottled(TooManyRequests):
    code = "login_throttled"
    title = "Too many failed sign-ins"


class InvalidToken(Unauthorized):
    code = "invalid_token"
    title = "Invalid or expired token"


class EmptyCart(InvalidInput):
    code = "empty_cart"
    title = "Cart is empty"


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    title = "Order cannot be paid"


class PaymentProviderUnavailable(UpstreamFailure):
    code = "payment_provider_unavailable"
    title = "Payment provider unavailable"


class InvalidSignature(BadRequest):
    code = "invalid_signature"
    title = "Webhook signature invalid"


class MalformedEvent(BadRequest):
    code = "malformed_event"
    title = "Webhook event malformed"


class PaymentsNotConfigured(NotFound):
    code = "not_found"
    title = "Not available with the active payment provider"


class OrderPaid(Conflict):
    code = "order_paid"
    title = "The order is paid: refund it instead"


class OrderNotRefundable(Conflict):
    code = "order_not_refundable"
    title = "This order cannot be refunded"


class RefundFailed(Conflict):
    code = "refund_failed"
    title = "The payment provider refused the refund"


class QuantityLimitExceeded(InvalidInput):
    code = "quantity_limit_exceeded"
    title = "More units than one order may hold"


class UnpaidOrdersLimit(Conflict):
    code = "unpaid_orders_limit"
    title = "Too many orders waiting for payment"


class InvalidAddress(InvalidInput):
    code = "invalid_address"
    title = "The shipping address cannot be used"
