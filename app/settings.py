"""The one place that reads the environment (and `.env`)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from commerce.orders.checkout import CheckoutRates
from commerce.orders.models import OrderLimits
from commerce.replenishment.models import ReorderPolicy

DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="SEIKO_ENV"
    )
    database_url: str | None = Field(None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(Path(".seiko"), validation_alias="SEIKO_DATA_DIR")
    db_pool_min: int = Field(2, validation_alias="SEIKO_DB_POOL_MIN", ge=1)
    db_pool_max: int = Field(10, validation_alias="SEIKO_DB_POOL_MAX", ge=1)
    seed_catalog: bool = Field(True, validation_alias="SEIKO_SEED")

    jwt_secret: SecretStr = Field(SecretStr(DEV_JWT_SECRET), validation_alias="SEIKO_JWT_SECRET")
    access_token_minutes: int = Field(60, validation_alias="SEIKO_ACCESS_TOKEN_MINUTES", ge=1)
    bootstrap_admin_email: str | None = Field(None, validation_alias="SEIKO_BOOTSTRAP_ADMIN_EMAIL")
    bootstrap_admin_password: SecretStr | None = Field(None, validation_alias="SEIKO_BOOTSTRAP_ADMIN_PASSWORD")

    cors_origins: list[str] = Field(default_factory=list, validation_alias="SEIKO_CORS_ORIGINS")
    rate_limit_default: str = Field("300/minute", validation_alias="SEIKO_RATE_LIMIT")
    rate_limit_auth: str = Field("10/minute", validation_alias="SEIKO_RATE_LIMIT_AUTH")
    rate_limit_chat: str = Field("30/minute", validation_alias="SEIKO_RATE_LIMIT_CHAT")
    max_body_bytes: int = Field(64 * 1024, validation_alias="SEIKO_MAX_BODY_BYTES", ge=1024)
    log_level: str = Field("INFO", validation_alias="SEIKO_LOG_LEVEL")
    log_json: bool = Field(True, validation_alias="SEIKO_LOG_JSON")

    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(None, validation_alias="ANTHROPIC_BASE_URL")
    ollama_host: str | None = Field(None, validation_alias="OLLAMA_HOST")
    stripe_secret_key: SecretStr | None = Field(None, validation_alias="STRIPE_SECRET_KEY")
    stripe_webhook_secret: SecretStr | None = Field(None, validation_alias="STRIPE_WEBHOOK_SECRET")
    stripe_publishable_key: str | None = Field(None, validation_alias="STRIPE_PUBLISHABLE_KEY")
    stripe_api_base: str | None = Field(None, validation_alias="STRIPE_API_BASE")
    stripe_timeout_seconds: float = Field(10.0, validation_alias="STRIPE_TIMEOUT_SECONDS", gt=0)
    stripe_max_retries: int = Field(2, validation_alias="STRIPE_MAX_RETRIES", ge=0, le=5)
    # The reservation window: an unpaid order holds its units this long, then expires.
    order_payment_timeout_minutes: int = Field(30, validation_alias="SEIKO_ORDER_PAYMENT_TIMEOUT_MINUTES", ge=1)
    # Against hoarding: caps on one order and on what one customer's unpaid orders may hold.
    order_max_line_quantity: int = Field(10, validation_alias="SEIKO_ORDER_MAX_LINE_QUANTITY", ge=1)
    order_max_units: int = Field(25, validation_alias="SEIKO_ORDER_MAX_UNITS", ge=1)
    customer_max_unpaid_orders: int = Field(5, validation_alias="SEIKO_CUSTOMER_MAX_UNPAID_ORDERS", ge=1)
    customer_max_reserved_usd: Decimal = Field(Decimal("20000"), validation_alias="SEIKO_CUSTOMER_MAX_RESERVED_USD",
                                               gt=0)
    # Checkout: shipping cost per method (JSON), free standard shipping from an order value, and tax
    # rates by country or country-region as JSON (e.g. {"US": "0", "US-CA": "0.0725", "GB": "0.20"});
    # orders ship only to the countries of the tax table. Unset: the built-in tables.
    shipping_rates_usd: dict[str, Decimal] | None = Field(None, validation_alias="SEIKO_SHIPPING_RATES_USD")
    free_shipping_over_usd: Decimal | None = Field(Decimal("500"), validation_alias="SEIKO_FREE_SHIPPING_OVER_USD")
    tax_rates: dict[str, Decimal] | None = Field(None, validation_alias="SEIKO_TAX_RATES")
    expiry_sweep_seconds: int = Field(60, validation_alias="SEIKO_EXPIRY_SWEEP_SECONDS", ge=1)
    scheduler_enabled: bool = Field(True, validation_alias="SEIKO_SCHEDULER")
    embedding_model: str = Field("all-MiniLM-L6-v2", validation_alias="SEIKO_EMBEDDING_MODEL")
    embedding_backend: Literal["torch", "onnx", "openvino"] = Field("torch", validation_alias="SEIKO_EMBEDDING_BACKEND")
    index_on_start: bool = Field(True, validation_alias="SEIKO_INDEX_ON_START")
    claude_model: str = Field("claude-sonnet-5-5", validation_alias="SEIKO_CLAUDE_MODEL")
    ollama_model: str = Field("llama3.1:8b", validation_alias="SEIKO_OLLAMA_MODEL")
    pricing_file: Path | None = Field(None, validation_alias="SEIKO_PRICING_FILE")
    daily_budget_usd: Decimal | None = Field(Decimal("25"), validation_alias="SEIKO_DAILY_BUDGET_USD", ge=0)
    agent_budgets_usd: dict[str, Decimal] = Field(default_factory=dict, validation_alias="SEIKO_AGENT_BUDGETS_USD")
    llm_call_timeout_s: float = Field(30.0, validation_alias="SEIKO_LLM_CALL_TIMEOUT_S", gt=0)
    llm_max_attempts: int = Field(3, validation_alias="SEIKO_LLM_MAX_ATTEMPTS", ge=1, le=10)
    agent_max_tool_rounds: int = Field(8, validation_alias="SEIKO_AGENT_MAX_TOOL_ROUNDS", ge=1)
    agent_max_tokens: int = Field(60_000, validation_alias="SEIKO_AGENT_MAX_TOKENS", ge=100)
    agent_max_wall_s: float = Field(90.0, validation_alias="SEIKO_AGENT_MAX_WALL_S", gt=0)
    breaker_failures: int = Field(3, validation_alias="SEIKO_BREAKER_FAILURES", ge=1)
    breaker_reset_s: float = Field(30.0, validation_alias="SEIKO_BREAKER_RESET_S", gt=0)
    reorder_service_level: float = Field(0.95, validation_alias="SEIKO_REORDER_SERVICE_LEVEL", gt=0.5, lt=1)
    reorder_max_order_usd: Decimal = Field(Decimal("20000"), validation_alias="SEIKO_REORDER_MAX_ORDER_USD", gt=0)
    reorder_daily_cap_usd: Decimal = Field(Decimal("60000"), validation_alias="SEIKO_REORDER_DAILY_CAP_USD", gt=0)
    reorder_auto_approve_below_usd: Decimal | None = Field(
        None, validation_alias="SEIKO_REORDER_AUTO_APPROVE_BELOW_USD")
    notify_webhook_url: str | None = Field(None, validation_alias="SEIKO_NOTIFY_WEBHOOK_URL")
    stock_sweep_minutes: int = Field(60, validation_alias="SEIKO_STOCK_SWEEP_MINUTES", ge=1)
    worker_enabled: bool = Field(True, validation_alias="SEIKO_WORKER")
    # `seiko worker` has no HTTP server of its own; with a port set it serves GET /metrics there, so
    # Prometheus can scrape every worker (off by default: a second listener only where it is wanted).
    worker_metrics_port: int | None = Field(None, validation_alias="SEIKO_WORKER_METRICS_PORT", ge=1, le=65535)
    worker_metrics_host: str = Field("127.0.0.1", validation_alias="SEIKO_WORKER_METRICS_HOST")
    # Proxies (IPs or CIDR ranges, comma-separated) whose X-Forwarded-For is believed. Behind a reverse
    # proxy every request would otherwise come from the proxy's address and share one per-IP rate limit.
    forwarded_allow_ips: str | None = Field(None, validation_alias="SEIKO_FORWARDED_ALLOW_IPS")
    langfuse_public_key: str | None = Field(None, validation_alias="LANGFUSE_PUBLIC_KEY")
    langfuse_secret_key: SecretStr | None = Field(None, validation_alias="LANGFUSE_SECRET_KEY")
    langfuse_host: str | None = Field(None, validation_alias="LANGFUSE_HOST")
    alertmanager_webhook_token: SecretStr | None = Field(None, validation_alias="ALERTMANAGER_WEBHOOK_TOKEN")

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            secret = self.jwt_secret.get_secret_value()
            if secret == DEV_JWT_SECRET or len(secret) < 32:
                raise ValueError("SEIKO_JWT_SECRET must be set to 32+ random characters in production")
        return self

    @property
    def reorder_policy(self) -> ReorderPolicy:
        return ReorderPolicy(service_level=self.reorder_service_level, max_order_usd=self.reorder_max_order_usd,
                             daily_cap_usd=self.reorder_daily_cap_usd,
                             auto_approve_below_usd=self.reorder_auto_approve_below_usd)

    def alert_token(self) -> str:
        """ALERTMANAGER_WEBHOOK_TOKEN, or (outside production) a random one kept in the data folder, so
        `seiko drill low-stock` and a local Alertmanager can share it."""
        if self.alertmanager_webhook_token is not None:
            return self.alertmanager_webhook_token.get_secret_value()
        if self.environment == "production":
            raise ValueError("ALERTMANAGER_WEBHOOK_TOKEN must be set in production")
        path = self.data_dir / "alertmanager-token"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def order_limits(self) -> OrderLimits:
        return OrderLimits(max_line_quantity=self.order_max_line_quantity, max_order_units=self.order_max_units,
                           max_unpaid_orders=self.customer_max_unpaid_orders,
                           max_reserved_value=self.customer_max_reserved_usd)

    @property
    def checkout_rates(self) -> CheckoutRates:
        default = CheckoutRates()
        return CheckoutRates(shipping=self.shipping_rates_usd or default.shipping,
                             free_shipping_over=self.free_shipping_over_usd, tax=self.tax_rates or default.tax)

    @property
    def embedded_pgdata(self) -> Path:
        return (self.data_dir / "pgdata").resolve()


@lru_cache
def get_settings() -> Settings:
    return Settings()
