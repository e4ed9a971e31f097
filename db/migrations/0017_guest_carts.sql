-- depends: 0016_refunds
-- A visitor who has not signed in keeps a cart too, named by a random cookie (stored here only as
-- its SHA-256). Signing in merges it into the customer's cart and deletes it.
CREATE TABLE guest_cart_items (
    cart_key    TEXT NOT NULL CHECK (cart_key ~ '^[0-9a-f]{64}$'),
    watch_id    BIGINT NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    added_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (cart_key, watch_id)
);
CREATE INDEX guest_cart_items_added_idx ON guest_cart_items (added_at);
