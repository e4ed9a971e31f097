"""The one place that reads the environment (and `.env`)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.limits import RunLimits
from commerce.forecasting.demand import DemandClass
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
    # The AI bulkhead. Agent runs (chats, stock runs) reach the database through a pool of their own,
    # for short writes only, so the store's pool above is never waited on by AI work; and at most
    # `ai_max_in_flight` model-backed runs are in flight per process (a waiting run costs a coroutine,
    # not a connection). A chat beyond that is refused at once with 503 and Retry-After.
    ai_db_pool_max: int = Field(4, validation_alias="SEIKO_AI_DB_POOL_MAX", ge=1)
    ai_db_wait_s: float = Field(5.0, validation_alias="SEIKO_AI_DB_WAIT_S", gt=0)
    ai_max_in_flight: int = Field(200, validation_alias="SEIKO_AI_MAX_IN_FLIGHT", ge=1)
    ai_retry_after_s: int = Field(5, validation_alias="SEIKO_AI_RETRY_AFTER_S", ge=1)
    sse_heartbeat_s: float = Field(10.0, validation_alias="SEIKO_SSE_HEARTBEAT_S", gt=0)
    # How long a request waits for a pooled connection before answering 503 (the database is gone or
    # the pool is exhausted); short, so an outage is a quick 503 with Retry-After, never a 30 s hang.
    db_acquire_timeout_s: float = Field(1.5, validation_alias="SEIKO_DB_ACQUIRE_TIMEOUT_S", gt=0)

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
    # JSON lines for log shippers in production; a readable console format otherwise (unset: by SEIKO_ENV).
    log_json: bool | None = Field(None, validation_alias="SEIKO_LOG_JSON")

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
    # What embeds search queries: an int8 ONNX copy of the model (exported once into
    # SEIKO_DATA_DIR/models, ~1-2 ms a query) or the indexing model itself. Only with the torch backend.
    query_embedding_backend: Literal["onnx-int8", "torch"] = Field(
        "onnx-int8", validation_alias="SEIKO_QUERY_EMBEDDING_BACKEND")
    index_on_start: bool = Field(True, validation_alias="SEIKO_INDEX_ON_START")
    # USD per unit of another currency, for search queries such as "under 400 euros" (the catalog is
    # priced in USD). A currency without a rate is read as USD, and the search says so.
    currency_rates: dict[str, Decimal] = Field(
        default_factory=lambda: {"EUR": Decimal("1.08"), "GBP": Decimal("1.27"), "JPY": Decimal("0.0067"),
                                 "CHF": Decimal("1.13"), "CAD": Decimal("0.73"), "AUD": Decimal("0.66")},
        validation_alias="SEIKO_CURRENCY_RATES")
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
    # The share of demanded units served from stock (type 2 service) to aim for, per demand class.
    reorder_fill_rates: dict[DemandClass, float] = Field(
        default_factory=lambda: {DemandClass.smooth: 0.98, DemandClass.erratic: 0.95,
                                 DemandClass.intermittent: 0.95, DemandClass.lumpy: 0.90},
        validation_alias="SEIKO_REORDER_FILL_RATES")
    reorder_cover_days: float = Field(30.0, validation_alias="SEIKO_REORDER_COVER_DAYS", gt=0)
    reorder_band_low: float = Field(0.5, validation_alias="SEIKO_REORDER_BAND_LOW", gt=0, le=1)
    reorder_band_high: float = Field(1.5, validation_alias="SEIKO_REORDER_BAND_HIGH", ge=1)
    reorder_max_units_per_order: int = Field(500, validation_alias="SEIKO_REORDER_MAX_UNITS_PER_ORDER", ge=1)
    reorder_max_order_usd: Decimal = Field(Decimal("20000"), validation_alias="SEIKO_REORDER_MAX_ORDER_USD", gt=0)
    reorder_daily_cap_usd: Decimal = Field(Decimal("60000"), validation_alias="SEIKO_REORDER_DAILY_CAP_USD", gt=0)
    reorder_auto_approve_below_usd: Decimal | None = Field(
        None, validation_alias="SEIKO_REORDER_AUTO_APPROVE_BELOW_USD")
    reorder_rejection_cooldown_days: int = Field(7, validation_alias="SEIKO_REORDER_REJECTION_COOLDOWN_DAYS", ge=0)
    # Earned autonomy: a demand class's proposals are approved without a person once at least this
    # many were decided and the Wilson lower bound of "approved unchanged" reaches the bar.
    reorder_autonomy_min_proposals: int = Field(30, validation_alias="SEIKO_REORDER_AUTONOMY_MIN_PROPOSALS", ge=1)
    reorder_autonomy_min_approval: float = Field(0.9, validation_alias="SEIKO_REORDER_AUTONOMY_MIN_APPROVAL", gt=0,
                                                  le=1)
    reorder_earned_autonomy: bool = Field(True, validation_alias="SEIKO_REORDER_EARNED_AUTONOMY")
    notify_webhook_url: str | None = Field(None, validation_alias="SEIKO_NOTIFY_WEBHOOK_URL")
    stock_sweep_minutes: int = Field(60, validation_alias="SEIKO_STOCK_SWEEP_MINUTES", ge=1)
    worker_enabled: bool = Field(True, validation_alias="SEIKO_WORKER")
    # Jobs one worker process runs at once (each stock-agent run is mostly waiting on a model).
    worker_concurrency: int = Field(4, validation_alias="SEIKO_WORKER_CONCURRENCY", ge=1, le=64)
    # A running job whose worker sent no heartbeat for this long lost its worker and is retried.
    job_stalled_after_s: float = Field(60.0, validation_alias="SEIKO_JOB_STALLED_AFTER_S", ge=5)
    # Finished jobs (and their outcomes) are deleted after this many days, by a daily job.
    job_retention_days: int = Field(14, validation_alias="SEIKO_JOB_RETENTION_DAYS", ge=1)
    embedding_refresh_minutes: int = Field(60, validation_alias="SEIKO_EMBEDDING_REFRESH_MINUTES", ge=1)
    # The event log's relay (events/): with Kafka set it publishes to seiko.orders/.inventory/.reorders,
    # otherwise it feeds this process's consumers. It runs as a job queued every period, which relays
    # for that period (polling every 0.1 s when idle): a stopping `seiko worker` waits for it at most that long.
    kafka_bootstrap_servers: str | None = Field(None, validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    events_relay_seconds: int = Field(5, validation_alias="SEIKO_EVENTS_RELAY_SECONDS", ge=1, le=25)
    events_relay_batch: int = Field(500, validation_alias="SEIKO_EVENTS_RELAY_BATCH", ge=1, le=10_000)
    events_consumer_group: str = Field("seiko-store", validation_alias="SEIKO_EVENTS_CONSUMER_GROUP")
    # `seiko worker` has no HTTP server of its own; with a port set it serves GET /metrics there, so
    # Prometheus can scrape every worker (off by default: a second listener only where it is wanted).
    worker_metrics_port: int | None = Field(None, validation_alias="SEIKO_WORKER_METRICS_PORT", ge=1, le=65535)
    worker_metrics_host: str = Field("127.0.0.1", validation_alias="SEIKO_WORKER_METRICS_HOST")
    # GET /metrics of `seiko serve`/`seiko api` is served on this port only, never on the store's port;
    # bound to the store's --host unless SEIKO_METRICS_HOST says otherwise. With a token set, Prometheus
    # must send it as a bearer token. Gauges that mirror the database are refreshed every
    # SEIKO_METRICS_REFRESH_SECONDS, not per scrape.
    metrics_port: int = Field(9464, validation_alias="SEIKO_METRICS_PORT", ge=1, le=65535)
    metrics_host: str | None = Field(None, validation_alias="SEIKO_METRICS_HOST")
    metrics_token: SecretStr | None = Field(None, validation_alias="SEIKO_METRICS_TOKEN")
    metrics_refresh_seconds: float = Field(15.0, validation_alias="SEIKO_METRICS_REFRESH_SECONDS", gt=0)
    # Slow clients: a request's headers must arrive within this many seconds (and bytes), an idle
    # keep-alive connection is closed after SEIKO_HTTP_KEEP_ALIVE_S (app/http_protocol.py).
    http_header_timeout_s: float = Field(10.0, validation_alias="SEIKO_HTTP_HEADER_TIMEOUT_S", gt=0)
    http_keep_alive_s: int = Field(5, validation_alias="SEIKO_HTTP_KEEP_ALIVE_S", ge=1)
    http_max_header_bytes: int = Field(16 * 1024, validation_alias="SEIKO_HTTP_MAX_HEADER_BYTES", ge=1024)
    # Proxies (IPs or CIDR ranges, comma-separated) whose X-Forwarded-For is believed. Behind a reverse
    # proxy every request would otherwise come from the proxy's address and share one per-IP rate limit.
    forwarded_allow_ips: str | None = Field(None, validation_alias="SEIKO_FORWARDED_ALLOW_IPS")
    langfuse_public_key: str | None = Field(None, validation_alias="LANGFUSE_PUBLIC_KEY")
    langfuse_secret_key: SecretStr | None = Field(None, validation_alias="LANGFUSE_SECRET_KEY")
    langfuse_host: str | None = Field(None, validation_alias="LANGFUSE_HOST")
    alertmanager_webhook_token: SecretStr | None = Field(None, validation_alias="ALERTMANAGER_WEBHOOK_TOKEN")
    # Tracing (OpenTelemetry): spans go with OTLP over HTTP/protobuf to {endpoint}/v1/traces when the
    # standard variable is set (Jaeger, an OpenTelemetry Collector); nothing is traced otherwise. A
    # ratio of new traces is sampled; work a traced request starts (a job) follows its decision.
    otel_exporter_otlp_endpoint: str | None = Field(None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    otel_service_name: str = Field("seiko-store", validation_alias="OTEL_SERVICE_NAME")
    trace_sample_ratio: float = Field(1.0, validation_alias="SEIKO_TRACE_SAMPLE_RATIO", ge=0, le=1)
    # With Langfuse keys: true sends the agents' GenAI spans (the same ones Jaeger gets) to Langfuse's
    # OTLP endpoint instead of writing them through the Langfuse SDK; never both, so nothing counts twice.
    langfuse_otlp: bool = Field(False, validation_alias="SEIKO_LANGFUSE_OTLP")
    # The trace viewer the ops console links a decision to: {url}/trace/{trace_id} (Jaeger's UI).
    jaeger_url: str | None = Field(None, validation_alias="SEIKO_JAEGER_URL")

    @field_validator("reorder_fill_rates")
    @classmethod
    def _every_class_has_a_fill_rate(cls, rates: dict[DemandClass, float]) -> dict[DemandClass, float]:
        missing = set(DemandClass) - set(rates)
        if missing:
            raise ValueError(f"a fill rate is needed for every demand class; missing {sorted(missing)}")
        if not all(0.5 <= rate < 1 for rate in rates.values()):
            raise ValueError("fill rates are fractions in [0.5, 1), e.g. 0.95")
        return rates

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            secret = self.jwt_secret.get_secret_value()
            if secret == DEV_JWT_SECRET or len(secret) < 32:
                raise ValueError("SEIKO_JWT_SECRET must be set to 32+ random characters in production")
        return self

    @property
    def log_as_json(self) -> bool:
        return self.log_json if self.log_json is not None else self.environment == "production"

    @property
    def run_limits(self) -> RunLimits:
        return RunLimits(max_tool_rounds=self.agent_max_tool_rounds, max_total_tokens=self.agent_max_tokens,
                         max_wall_s=self.agent_max_wall_s, call_timeout_s=self.llm_call_timeout_s,
                         max_attempts=self.llm_max_attempts)

    @property
    def reorder_policy(self) -> ReorderPolicy:
        return ReorderPolicy(fill_rates=dict(self.reorder_fill_rates), cover_days=self.reorder_cover_days,
                             band_low=self.reorder_band_low, band_high=self.reorder_band_high,
                             max_units_per_order=self.reorder_max_units_per_order,
                             max_order_usd=self.reorder_max_order_usd, daily_cap_usd=self.reorder_daily_cap_usd,
                             auto_approve_below_usd=self.reorder_auto_approve_below_usd,
                             rejection_cooldown_days=self.reorder_rejection_cooldown_days,
                             autonomy_min_proposals=self.reorder_autonomy_min_proposals,
                             autonomy_min_approval=self.reorder_autonomy_min_approval,
                             earned_autonomy=self.reorder_earned_autonomy)

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
