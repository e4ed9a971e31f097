"""The root of the one error tree. Every package raises these kinds (or its own subclasses); each error
carries a stable `code`, and the API maps kinds to HTTP statuses in one place."""

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


class TooManyRequests(DomainError):
    """Slow down; `retry_after` (seconds) in the extra fields says for how long."""

    code = "too_many_requests"
    title = "Too many requests"


class UpstreamFailure(DomainError):
    """A service we depend on (a payment provider) failed or did not answer."""

    code = "upstream_failure"
    title = "Upstream service failed"


class Unavailable(DomainError):
    """The service cannot take this now but will soon: answered 503 with `Retry-After`."""

    code = "unavailable"
    title = "Temporarily unavailable"

    def __init__(self, detail: str, *, retry_after_s: int, **extra: Any) -> None:
        super().__init__(detail, retry_after_s=retry_after_s, **extra)
        self.retry_after_s = retry_after_s
