"""One error tree for the domain. Each error carries a stable `code`; the API maps kinds to HTTP."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"
    title: ClassVar[str] = "Request failed"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    code = "conflict"
    title = "Conflict"


class InvalidInput(DomainError):
    code = "invalid_input"
    title = "Invalid input"


class Unauthorized(DomainError):
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    code = "forbidden"
    title = "Forbidden"


class BadRequest(DomainError):
    code = "bad_request"
    title = "Bad request"


class UpstreamFailure(DomainError):
    """A service we depend on (a payment provider) failed or did not answer."""

    code = "upstream_failure"
    title = "Upstream service failed"


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
