-- depends: 0018_checkout
-- Demand forecasts per watch, suppliers' lead-time spread, what ops did with each proposal and what
-- happened after, and the autonomy the stock agent has earned per demand class.

-- How much a supplier's lead time varies (standard deviation in days): safety stock covers it.
ALTER TABLE suppliers ADD COLUMN lead_time_sd_days NUMERIC(6, 2) NOT NULL DEFAULT 0
    CHECK (lead_time_sd_days >= 0);

CREATE TABLE watch_forecasts (
    watch_id        BIGINT PRIMARY KEY REFERENCES watches (id) ON DELETE CASCADE,
    computed_at     TIMESTAMPTZ NOT NULL,
    model           TEXT NOT NULL,
    demand_class    TEXT NOT NULL CHECK (demand_class IN ('smooth', 'erratic', 'intermittent', 'lumpy')),
    adi             DOUBLE PRECISION,
    cv2             DOUBLE PRECISION NOT NULL,
    daily_mean      DOUBLE PRECISION NOT NULL CHECK (daily_mean >= 0),
    daily_sd        DOUBLE PRECISION NOT NULL CHECK (daily_sd >= 0),
    mase            DOUBLE PRECISION,
    observations    INTEGER NOT NULL,
    censored_days   INTEGER NOT NULL,
    -- the stock on hand when it was fitted was zero: a change of that is a reason to refit
    out_of_stock    BOOLEAN NOT NULL
);

-- How much each gift season lifts demand, pooled over the shop's history (see commerce/forecasting/seasons.py).
CREATE TABLE seasonal_lifts (
    season          TEXT PRIMARY KEY CHECK (season IN ('christmas', 'fathers_day')),
    lift            DOUBLE PRECISION NOT NULL CHECK (lift > 0),
    computed_at     TIMESTAMPTZ NOT NULL
);

-- The quantity the agent proposed, kept when ops approve a different one; the demand class the
-- proposal was made for; what happened in the 90 days after it was decided.
ALTER TABLE reorder_proposals ADD COLUMN proposed_quantity INTEGER CHECK (proposed_quantity > 0);
UPDATE reorder_proposals SET proposed_quantity = quantity;
ALTER TABLE reorder_proposals ALTER COLUMN proposed_quantity SET NOT NULL;
-- A writer that does not know the column (older code during a rolling deploy, fixtures) proposed
-- what it ordered.
CREATE FUNCTION reorder_proposals_default_proposed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.proposed_quantity := coalesce(NEW.proposed_quantity, NEW.quantity);
    RETURN NEW;
END $$;
CREATE TRIGGER reorder_proposals_default_proposed BEFORE INSERT ON reorder_proposals
    FOR EACH ROW EXECUTE FUNCTION reorder_proposals_default_proposed();
ALTER TABLE reorder_proposals ADD COLUMN demand_class TEXT;
ALTER TABLE reorder_proposals ADD COLUMN outcome_stockout_days INTEGER;
ALTER TABLE reorder_proposals ADD COLUMN outcome_overstock_value NUMERIC(14, 2);
ALTER TABLE reorder_proposals ADD COLUMN outcome_measured_at TIMESTAMPTZ;

CREATE TABLE reorder_autonomy (
    demand_class    TEXT PRIMARY KEY CHECK (demand_class IN ('smooth', 'erratic', 'intermittent', 'lumpy')),
    enabled         BOOLEAN NOT NULL,
    changed_at      TIMESTAMPTZ NOT NULL,
    reason          TEXT NOT NULL,
    evidence        JSONB NOT NULL
);

-- Every switch, on or off, with the evidence it was made on.
CREATE TABLE reorder_autonomy_changes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    demand_class    TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL,
    changed_at      TIMESTAMPTZ NOT NULL,
    reason          TEXT NOT NULL,
    evidence        JSONB NOT NULL
);
