-- depends: 0017_guest_carts
-- Checkout: where the order goes, how, and what it costs beyond the watches. total is always
-- subtotal + shipping_cost + tax. A NULL subtotal (orders from before checkout had shipping, and
-- rows written by older code during a rolling deploy) means the total is the goods alone.
ALTER TABLE orders ADD COLUMN subtotal NUMERIC(12, 2);
ALTER TABLE orders ADD COLUMN shipping_method TEXT;
ALTER TABLE orders ADD COLUMN shipping_cost NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (shipping_cost >= 0);
ALTER TABLE orders ADD COLUMN tax NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (tax >= 0);
ALTER TABLE orders ADD COLUMN tax_rate NUMERIC(7, 5) NOT NULL DEFAULT 0 CHECK (tax_rate >= 0 AND tax_rate < 1);
ALTER TABLE orders ADD COLUMN ship_to JSONB;
ALTER TABLE orders ADD CONSTRAINT orders_total_adds_up
    CHECK (subtotal IS NULL OR total = subtotal + shipping_cost + tax);
