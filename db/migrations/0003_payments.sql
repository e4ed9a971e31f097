-- depends: 0002_commerce
-- Payments: one row per PaymentIntent (an order may need several attempts), every provider event
-- seen (its id is the dedupe key, written in the same transaction as its effect), and an outbox
-- of messages a mail sender delivers (order confirmations, refunds ops must make).

CREATE TABLE payments (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    provider        TEXT NOT NULL CHECK (provider IN ('stripe', 'simulated')),
    intent_id       TEXT NOT NULL UNIQUE,
    attempt         INTEGER NOT NULL CHECK (attempt > 0),
    amount_cents    BIGINT NOT NULL CHECK (amount_cents > 0),
    currency        TEXT NOT NULL DEFAULT 'usd',
    status          TEXT NOT NULL CHECK (status IN ('requires_payment', 'succeeded', 'failed', 'canceled')),
    failure_reason  TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (order_id, attempt)
);

CREATE TABLE payment_events (
    event_id    TEXT PRIMARY KEY,
    source      TEXT NOT NULL CHECK (source IN ('stripe', 'simulated')),
    type        TEXT NOT NULL,
    intent_id   TEXT,
    outcome     TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('order_confirmation', 'refund_required')),
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    recipient       TEXT NOT NULL,
    payload         JSONB NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at    TIMESTAMPTZ,
    UNIQUE (kind, order_id)
);
CREATE INDEX outbox_undelivered_idx ON outbox (created_at) WHERE delivered_at IS NULL;
