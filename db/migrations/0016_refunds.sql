-- depends: 0015_search_vector_per_kind
-- Refunds of paid orders. A customer's request waits for an admin (`requested`); an admin's refund
-- is sent to the payment provider (`pending`) and ends `succeeded` or `failed`. At most one refund
-- of an order is open at a time and at most one succeeds, so a retried or replayed refund cannot pay
-- out twice. The order becomes `refunded` only when its refund succeeded.
CREATE TABLE refunds (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id            BIGINT NOT NULL REFERENCES orders (id),
    payment_id          BIGINT NOT NULL REFERENCES payments (id),
    provider            TEXT NOT NULL CHECK (provider IN ('stripe', 'simulated')),
    provider_refund_id  TEXT UNIQUE,
    amount_cents        BIGINT NOT NULL CHECK (amount_cents > 0),
    status              TEXT NOT NULL CHECK (status IN ('requested', 'pending', 'succeeded', 'failed')),
    reason              TEXT,
    failure_reason      TEXT,
    requested_by        BIGINT REFERENCES customers (id),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX refunds_one_open_per_order ON refunds (order_id) WHERE status IN ('requested', 'pending');
CREATE UNIQUE INDEX refunds_one_success_per_order ON refunds (order_id) WHERE status = 'succeeded';

ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'));
ALTER TABLE orders ADD COLUMN refunded_at TIMESTAMPTZ;

ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_kind_check;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_kind_check
    CHECK (kind IN ('seed', 'adjustment', 'order_reserved', 'order_released', 'order_refunded', 'restock'));
