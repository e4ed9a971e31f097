-- depends: 0019_forecasts
-- The event log: every change of an order, a stock level and a reorder proposal, appended in the
-- transaction that makes the change. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
-- `position` is the global order of appends; `tx_id` is the appending transaction, which lets the relay
-- read only what no running transaction can still add to (tx_id below the snapshot's xmin), so an event
-- committed late with a smaller position is never skipped.
CREATE TABLE events (
    position        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx_id           XID8 NOT NULL DEFAULT pg_current_xact_id(),
    id              UUID NOT NULL UNIQUE,
    source          TEXT NOT NULL,
    type            TEXT NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    subject         TEXT NOT NULL,
    aggregate_type  TEXT NOT NULL CHECK (aggregate_type IN ('order', 'stock', 'reorder')),
    time            TIMESTAMPTZ NOT NULL DEFAULT now(),
    schema_version  INTEGER NOT NULL CHECK (schema_version > 0),
    data            JSONB NOT NULL
);
CREATE INDEX events_stream_idx ON events (tx_id, position);
CREATE INDEX events_aggregate_idx ON events (aggregate_type, subject, position);

CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

-- How far each reader got: the relay (what it published) and each consumer (what it applied).
CREATE TABLE event_checkpoints (
    name        TEXT PRIMARY KEY,
    tx_id       XID8 NOT NULL DEFAULT '0',
    position    BIGINT NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The events each consumer applied, claimed in the transaction of the effect: a redelivery is a no-op.
CREATE TABLE consumed_events (
    consumer     TEXT NOT NULL,
    event_id     UUID NOT NULL,
    position     BIGINT NOT NULL,
    consumed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Read models, fed only by events (the write side never reads them).
CREATE TABLE read_orders (
    order_id         BIGINT PRIMARY KEY,
    customer_id      BIGINT NOT NULL,
    status           TEXT NOT NULL,
    total            NUMERIC(12, 2) NOT NULL,
    subtotal         NUMERIC(12, 2),
    shipping_method  TEXT,
    shipping_cost    NUMERIC(12, 2) NOT NULL,
    tax_rate         NUMERIC(7, 5) NOT NULL,
    tax              NUMERIC(12, 2) NOT NULL,
    ship_to          JSONB,
    currency         TEXT NOT NULL,
    lines            JSONB NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    paid_at          TIMESTAMPTZ,
    cancelled_at     TIMESTAMPTZ,
    cancel_reason    TEXT,
    refunded_at      TIMESTAMPTZ,
    position         BIGINT NOT NULL
);
CREATE INDEX read_orders_customer_idx ON read_orders (customer_id, created_at DESC, order_id DESC);

CREATE TABLE read_order_status_counts (
    status  TEXT PRIMARY KEY,
    orders  BIGINT NOT NULL
);

-- Per day an order was placed (UTC): orders placed, and the totals of those now paid, shipped or delivered.
CREATE TABLE read_daily_orders (
    day            DATE PRIMARY KEY,
    orders_placed  BIGINT NOT NULL DEFAULT 0,
    revenue        NUMERIC(14, 2) NOT NULL DEFAULT 0
);

-- Units and goods revenue per watch and day the order was placed (UTC), of orders paid and not refunded:
-- the same count as the reorder math's demand (orders paid, shipped or delivered, by creation day).
CREATE TABLE read_daily_sales (
    watch_id  BIGINT NOT NULL,
    day       DATE NOT NULL,
    units     INTEGER NOT NULL DEFAULT 0,
    revenue   NUMERIC(14, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (watch_id, day)
);

-- The stock agent's demand signal: units sold per watch as they are paid.
CREATE TABLE read_demand_signals (
    watch_id      BIGINT PRIMARY KEY,
    units_sold    BIGINT NOT NULL DEFAULT 0,
    last_sold_at  TIMESTAMPTZ,
    position      BIGINT NOT NULL
);

-- Order confirmations and refund notices, one per event (no mailer: the store keeps the notice).
CREATE TABLE notices (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    UUID NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('order_confirmation', 'refund_notice')),
    order_id    BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    body        JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
