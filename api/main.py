"""The FastAPI app factory: it only assembles middleware, handlers and routers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.staticfiles import StaticFiles

from api.config import ApiConfig
from api.docs import install_docs
from api.graphql import PATH as GRAPHQL_PATH
from api.graphql import graphql_router
from api.mcp import McpServers
from api.middleware import (
    BodySizeLimitMiddleware,
    NulRefusalMiddleware,
    RateLimitMiddleware,
    RequestLogMiddleware,
    SecurityHeadersMiddleware,
)
from api.problems import install_error_handlers
from api.red_metrics import RedMetricsMiddleware
from api.routes import (
    admin,
    alerts,
    auth,
    cart,
    catalog,
    chat,
    health,
    ops,
    ops_pages,
    orders,
    pages,
    payments,
    reorders,
    search,
)
from api.services import Services
from api.templating import WEB
from commerce.customers.security import TokenIssuer
from commerce.customers.throttle import LoginThrottle
from db.health import DatabaseHealth

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

API_PREFIX = "/api/v1"


def _with_protocol_servers(lifespan: Lifespan | None, mcp: McpServers) -> Lifespan:
    """The composition root's lifespan, then the MCP session managers inside it (their tools need the
    pools it opens; they stop before the pools close)."""

    @asynccontextmanager
    async def combined(app: FastAPI) -> AsyncIterator[None]:
        if lifespan is None:
            async with mcp.running():
                yield
            return
        async with lifespan(app), mcp.running():
            yield

    return combined


def create_app(config: ApiConfig, services: Services, lifespan: Lifespan | None = None) -> FastAPI:
    mcp = McpServers()
    app = FastAPI(
        title="Seiko Watch Store",
        version="1.0.0",
        description="Seiko Watch Store: catalog, search, orders, payments, the stock agent, the shopper "
                    "assistant and LLM operations. Errors are application/problem+json with a stable `code`.",
        lifespan=_with_protocol_servers(lifespan, mcp),
        docs_url=None,  # served by install_docs from a local copy of Swagger UI
        redoc_url=None,
    )
    app.state.token_issuer = TokenIssuer(secret=config.jwt_secret, ttl=config.access_token_ttl)
    # Exact moving windows for the small per-IP limits (sign-in, chat): a sliding-window counter
    # approximates and lets a burst that straddles a window boundary through one request early.
    app.state.auth_limiter = MovingWindowRateLimiter(MemoryStorage())
    app.state.auth_limit = parse(config.rate_limit_auth)
    app.state.login_throttle = LoginThrottle(clock=time.monotonic)
    app.state.db_health = DatabaseHealth(clock=time.monotonic)
    app.state.db_acquire_timeout_s = config.db_acquire_timeout_s
    app.state.chat_limit = parse(config.rate_limit_chat)
    app.state.config = config
    app.state.services = services
    app.state.payments = services.payments
    app.state.embedder = services.embedder
    app.state.stripe_webhook_secret = config.stripe_webhook_secret
    app.state.alert_token = config.alert_token
    app.state.currency_rates = dict(config.currency_rates)
    app.state.order_limits = config.order_limits
    app.state.checkout_rates = config.checkout_rates

    install_error_handlers(app)
    # Catalog first: it is the hottest path, and routes are matched in order.
    for module in (catalog, search, chat, auth, cart, orders, payments, admin, ops, reorders, alerts):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(health.router)
    mcp.install(app)
    app.include_router(graphql_router(), prefix=GRAPHQL_PATH)
    install_docs(app)
    app.include_router(pages.router)
    app.include_router(ops_pages.router)
    app.mount("/static", StaticFiles(directory=str(WEB / "static")), name="static")

    # Added innermost first: the correlation id wraps everything so every log line and response has it.
    app.add_middleware(RedMetricsMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(RateLimitMiddleware, limit=config.rate_limit_default)
    app.add_middleware(NulRefusalMiddleware)  # inside the size limit: it reads the buffered body
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=config.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, hsts=config.environment == "production",
                       stripe_js=not services.payments.simulated)
    if config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=config.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-ID"],
                           expose_headers=["X-Correlation-ID", "Idempotent-Replayed"])
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Correlation-ID")
    return app


