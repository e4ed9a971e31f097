"""Every request dependency, as `Annotated` aliases. Routes declare exactly one access rule:
`Public` in their dependencies, or a principal of `CustomerUser`, `OpsUser` or `AdminUser`."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItem
from limits.strategies import MovingWindowRateLimiter
from psycopg_pool import PoolTimeout

from agent.services import AgentServices
from api.config import ApiConfig
from api.guest_cart import GUEST_CART_COOKIE, GUEST_CART_DAYS, guest_cart_key, new_guest_cart
from api.middleware import client_ip
from api.page_errors import LoginRequired, PageForbidden
from commerce.cart.models import CartOwner
from commerce.customers import service as customers
from commerce.customers.models import Principal, Role
from commerce.customers.security import TokenIssuer
from commerce.customers.throttle import LoginThrottle
from commerce.orders.checkout import CheckoutRates
from commerce.orders.models import OrderLimits
from commerce.payments.provider import PaymentProvider
from common.errors import Forbidden, Unauthorized
from db.health import DatabaseHealth, DatabaseUnavailable
from db.pool import Conn, Pool
from rag.embedder import Embedder

# Every dependency is `async def`: FastAPI runs plain `def` dependencies in a thread pool, which
# costs more than the work they do.
_bearer = HTTPBearer(auto_error=False, description="An access token from POST /api/v1/auth/login")


async def get_pool(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


async def get_conn(request: Request) -> AsyncIterator[Conn]:
    """A pooled connection, or 503 at once when the database is known to be down, or within the
    acquire timeout when it has just gone (rather than each request waiting out the pool's 30 s)."""
    # Reads the pool off the app directly rather than through get_pool: one dependency fewer to
    # resolve on every request.
    pool: Pool = request.app.state.pool
    health: DatabaseHealth = request.app.state.db_health
    if not health.up:
        raise DatabaseUnavailable("The database is down")
    try:
        async with pool.connection(timeout=request.app.state.db_acquire_timeout_s) as conn:
            yield conn
    except PoolTimeout as exc:
        health.mark_down()
        raise DatabaseUnavailable("No database connection within the timeout") from exc


async def get_issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.token_issuer
    return issuer


async def get_payments(request: Request) -> PaymentProvider:
    provider: PaymentProvider = request.app.state.payments
    return provider


async def get_order_limits(request: Request) -> OrderLimits:
    limits: OrderLimits = request.app.state.order_limits
    return limits


async def get_checkout_rates(request: Request) -> CheckoutRates:
    rates: CheckoutRates = request.app.state.checkout_rates
    return rates


async def get_embedder(request: Request) -> Embedder:
    embedder: Embedder = request.app.state.embedder
    return embedder


async def get_config(request: Request) -> ApiConfig:
    config: ApiConfig = request.app.state.config
    return config


async def get_login_throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


async def get_client_ip(request: Request) -> str:
    return client_ip(request.scope)


PoolDep = Annotated[Pool, Depends(get_pool)]
ApiConfigDep = Annotated[ApiConfig, Depends(get_config)]
ThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]
ClientIp = Annotated[str, Depends(get_client_ip)]
EmbedderDep = Annotated[Embedder, Depends(get_embedder)]


async def get_currency_rates(request: Request) -> dict[str, Decimal]:
    rates: dict[str, Decimal] = request.app.state.currency_rates
    return rates


CurrencyRatesDep = Annotated[dict[str, Decimal], Depends(get_currency_rates)]
PaymentsDep = Annotated[PaymentProvider, Depends(get_payments)]
OrderLimitsDep = Annotated[OrderLimits, Depends(get_order_limits)]
CheckoutRatesDep = Annotated[CheckoutRates, Depends(get_checkout_rates)]
ConnDep = Annotated[Conn, Depends(get_conn)]
IssuerDep = Annotated[TokenIssuer, Depends(get_issuer)]


# Browsers sign in with a cookie session (HttpOnly, so page scripts never see the token); API clients
# send the same token as a bearer header. A cookie rides along with any request the browser makes,
# so unsafe methods authenticated by cookie must also echo the CSRF cookie in a header
# (double-submit), which a page on another origin cannot read.
SESSION_COOKIE = "seiko_session"
CSRF_COOKIE = "seiko_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(Forbidden):
    code = "csrf_failed"
    title = "Missing or wrong CSRF token"


def _session_token(request: Request, issuer: TokenIssuer) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    if token is None:
        return None
    if request.method not in _SAFE_METHODS:
        try:
            session_id = issuer.verify(token).session_id
        except Unauthorized:
            return token  # authentication refuses it (or, where sign-in is optional, treats it as anonymous)
        # The header must carry this session's own CSRF value (what the cookie was set to at sign-in),
        # not merely match the cookie, which another subdomain could have planted.
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), issuer.csrf_token(session_id).encode()):
            raise CsrfRejected(f"Send the {CSRF_COOKIE} cookie's value in the {CSRF_HEADER} header")
    return token


async def _authenticate(request: Request, pool: Pool, token: str, issuer: TokenIssuer) -> Principal:
    # A connection just for the lookup, given back at once: a request never holds one for its whole life
    # only because it is signed in (a handler that calls Stripe or a model must hold none meanwhile).
    # Like get_conn, a database that is down is a prompt 503, not a wait.
    health: DatabaseHealth = request.app.state.db_health
    if not health.up:
        raise DatabaseUnavailable("The database is down")
    try:
        async with pool.connection(timeout=request.app.state.db_acquire_timeout_s) as conn:
            return await customers.authenticate(conn, token=token, issuer=issuer)
    except PoolTimeout as exc:
        raise DatabaseUnavailable("No database connection within the timeout") from exc


async def _principal(
    request: Request,
    issuer: IssuerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    token = credentials.credentials if credentials is not None else _session_token(request, issuer)
    if token is None:
        raise Unauthorized("Log in and send the access token as `Authorization: Bearer <token>`")
    return await _authenticate(request, request.app.state.pool, token, issuer)


async def _optional_principal(request: Request, pool: Pool, issuer: TokenIssuer,
                              credentials: HTTPAuthorizationCredentials | None) -> Principal | None:
    """The caller when a token is sent (and valid), None for anonymous callers. A stale session cookie
    counts as anonymous: a shopper whose session ended can still browse."""
    if credentials is not None:
        return await _authenticate(request, pool, credentials.credentials, issuer)
    token = _session_token(request, issuer)
    if token is None:
        return None
    try:
        return await _authenticate(request, pool, token, issuer)
    except Unauthorized:
        return None


async def _maybe_principal(
    request: Request,
    issuer: IssuerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    return await _optional_principal(request, request.app.state.pool, issuer, credentials)


MaybeUser = Annotated[Principal | None, Depends(_maybe_principal)]


async def bearer_principal(request: Request) -> Principal | None:
    """The caller of an endpoint other programs call (MCP, GraphQL): None without a bearer token, 401
    (Unauthorized) for a bad or expired one. The session cookie is not read there: those endpoints take
    no CSRF token, so a cookie riding along from another site's page must not sign anyone in."""
    credentials = await _bearer(request)
    if credentials is None:
        return None
    return await _authenticate(request, request.app.state.pool, credentials.credentials, request.app.state.token_issuer)

async def cart_owner(request: Request, response: Response, principal: MaybeUser) -> CartOwner:
    """The signed-in customer's cart, else this browser's guest cart (its cookie set on first write)."""
    if principal is not None:
        return CartOwner(customer_id=principal.customer_id)
    key = guest_cart_key(request)
    if key is None:
        token, key = new_guest_cart()
        if request.method not in _SAFE_METHODS:
            response.set_cookie(GUEST_CART_COOKIE, token, max_age=GUEST_CART_DAYS * 86400, httponly=True,
                                secure=request.url.scheme == "https", samesite="lax", path="/")
    return CartOwner(guest_key=key)


CartOwnerDep = Annotated[CartOwner, Depends(cart_owner)]


async def _chat_principal(
    request: Request,
    issuer: IssuerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """MaybeUser for the assistant, looked up on the AI pool: a chat touches none of the store's connections."""
    agents: AgentServices = request.app.state.agents
    return await _optional_principal(request, agents.pool, issuer, credentials)


ChatUser = Annotated[Principal | None, Depends(_chat_principal)]


async def chat_rate_limit(request: Request) -> None:
    """Anonymous shoppers may chat, within a per-IP limit (models cost money)."""
    limiter: MovingWindowRateLimiter = request.app.state.auth_limiter
    item: RateLimitItem = request.app.state.chat_limit
    if not limiter.hit(item, "chat", client_ip(request.scope)):
        raise HTTPException(429, detail="Too many questions; wait a minute", headers={"Retry-After": "60"})


def _require(*roles: Role) -> object:
    async def check(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"This needs the {' or '.join(r.value for r in roles)} role")
        return principal

    return check


async def allow_public() -> None:
    """Marks a route as open to anonymous callers."""


async def machine_token() -> None:
    """Marks a route called by a machine with its own credential (Alertmanager's bearer token), checked
    in the route; user tokens mean nothing there."""


require_customer = _require(Role.customer, Role.ops, Role.admin)
require_ops = _require(Role.ops, Role.admin)
require_admin = _require(Role.admin)


def _require_page(*roles: Role) -> object:
    async def check(request: Request, principal: MaybeUser) -> Principal:
        if principal is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired("Sign in to see this page", next=target)
        if principal.role not in roles:
            raise PageForbidden(f"This page is for the {' or '.join(r.value for r in roles)} role")
        return principal

    return check


require_customer_page = _require_page(Role.customer, Role.ops, Role.admin)
require_ops_page = _require_page(Role.ops, Role.admin)

# The access rule each marker declares; the authorization-matrix test reads this table.
ACCESS_RULES: dict[object, str] = {
    allow_public: "public",
    machine_token: "machine",
    require_customer: "customer",
    require_ops: "ops",
    require_admin: "admin",
    require_customer_page: "customer_page",
    require_ops_page: "ops_page",
}

Public = Depends(allow_public)
MachineToken = Depends(machine_token)
CustomerUser = Annotated[Principal, Depends(require_customer)]
OpsUser = Annotated[Principal, Depends(require_ops)]
AdminUser = Annotated[Principal, Depends(require_admin)]
CustomerPage = Annotated[Principal, Depends(require_customer_page)]
OpsPage = Annotated[Principal, Depends(require_ops_page)]


async def auth_rate_limit(request: Request) -> None:
    """A tighter limit per IP for login and registration (password guessing, signup floods)."""
    limiter: MovingWindowRateLimiter = request.app.state.auth_limiter
    item: RateLimitItem = request.app.state.auth_limit
    if not limiter.hit(item, "auth", client_ip(request.scope)):
        raise HTTPException(429, detail="Too many sign-in attempts; wait a minute", headers={"Retry-After": "60"})


AuthRateLimit = Depends(auth_rate_limit)

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
           description="Makes a retry return the same order instead of placing another"),
]
