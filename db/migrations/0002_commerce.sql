-- depends: 0001_extensions
-- Commerce core: catalog, suppliers, inventory with a movement ledger, customers and sessions,
-- carts, orders. Money is NUMERIC(12,2) everywhere; CHECK constraints are the backstop for the
-- application's own rules.

CREATE TABLE suppliers (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    country         TEXT NOT NULL,
    lead_time_days  INTEGER NOT NULL CHECK (lead_time_days > 0)
);

CREATE TABLE watches (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE CHECK (reference ~ '^[A-Z0-9][A-Z0-9-]{2,31}$'),
    name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    collection          TEXT NOT NULL,
    category            TEXT NOT NULL CHECK (category IN
                            ('diver', 'dress', 'field', 'pilot', 'chronograph', 'sports', 'casual')),
    movement            TEXT NOT NULL CHECK (movement IN
                            ('automatic', 'manual', 'quartz', 'solar', 'kinetic', 'spring_drive', 'gps_solar')),
    caliber             TEXT NOT NULL,
    case_diameter_mm    NUMERIC(4, 1) NOT NULL CHECK (case_diameter_mm BETWEEN 20 AND 60),
    case_material       TEXT NOT NULL,
    water_resistance_m  INTEGER NOT NULL CHECK (water_resistance_m >= 0),
    crystal             TEXT NOT NULL,
    dial_color          TEXT NOT NULL,
    strap               TEXT NOT NULL,
    features            TEXT[] NOT NULL DEFAULT '{}',
    price               NUMERIC(12, 2) NOT NULL CHECK (price > 0),
    description         TEXT NOT NULL DEFAULT '',
    supplier_id         BIGINT NOT NULL REFERENCES suppliers (id),
    unit_cost           NUMERIC(12, 2) NOT NULL CHECK (unit_cost > 0),
    pack_size           INTEGER NOT NULL DEFAULT 1 CHECK (pack_size > 0),
    min_order_qty       INTEGER NOT NULL DEFAULT 1 CHECK (min_order_qty > 0),
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX watches_collection_idx ON watches (collection);
CREATE INDEX watches_price_idx ON watches (price);

-- available: free to sell; reserved: held by orders awaiting payment.
CREATE TABLE inventory (
    watch_id        BIGINT PRIMARY KEY REFERENCES watches (id) ON DELETE CASCADE,
    available       INTEGER NOT NULL DEFAULT 0 CHECK (available >= 0),
    reserved        INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    reorder_point   INTEGER NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE reviews (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    watch_id    BIGINT NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    author      TEXT NOT NULL,
    rating      SMALLINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX reviews_watch_idx ON reviews (watch_id);

CREATE TABLE customers (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'ops', 'admin')),
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_email_key ON customers (lower(email));

-- One row per login; logout revokes it, and every authenticated request checks it.
CREATE TABLE auth_sessions (
    id          UUID PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX auth_sessions_customer_idx ON auth_sessions (customer_id);

CREATE TABLE cart_items (
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    watch_id    BIGINT NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    added_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, watch_id)
);

CREATE TABLE orders (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id         BIGINT NOT NULL REFERENCES customers (id),
    status              TEXT NOT NULL CHECK (status IN
                            ('pending_payment', 'paid', 'shipped', 'delivered', 'cancelled')),
    total               NUMERIC(12, 2) NOT NULL CHECK (total >= 0),
    currency            TEXT NOT NULL DEFAULT 'USD',
    idempotency_key     TEXT,
    request_hash        TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    paid_at             TIMESTAMPTZ,
    cancelled_at        TIMESTAMPTZ,
    cancel_reason       TEXT
);
CREATE UNIQUE INDEX orders_idempotency_key ON orders (customer_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX orders_customer_idx ON orders (customer_id, created_at DESC);
CREATE INDEX orders_status_idx ON orders (status, created_at);

CREATE TABLE order_items (
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    watch_id    BIGINT NOT NULL REFERENCES watches (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  NUMERIC(12, 2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, watch_id)
);
CREATE INDEX order_items_watch_idx ON order_items (watch_id);

-- The ledger: every change of available stock, with why and by whom.
CREATE TABLE stock_movements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    watch_id    BIGINT NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    delta       INTEGER NOT NULL CHECK (delta <> 0),
    kind        TEXT NOT NULL CHECK (kind IN
                    ('seed', 'adjustment', 'order_reserved', 'order_released', 'restock')),
    reason      TEXT NOT NULL,
    order_id    BIGINT REFERENCES orders (id),
    actor_id    BIGINT REFERENCES customers (id),
    balance_after INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stock_movements_watch_idx ON stock_movements (watch_id, created_at DESC);
