-- depends: 0006_llm_ops
-- The stock agent: alerts received from Alertmanager, a durable job queue (one job per alert
-- fingerprint and start), reorder proposals that ops approve or reject, and purchase orders.

CREATE TABLE alerts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint     TEXT NOT NULL,
    starts_at       TIMESTAMPTZ NOT NULL,
    alertname       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
    labels          JSONB NOT NULL,
    annotations     JSONB NOT NULL,
    acted_on        BOOLEAN NOT NULL,
    received_count  INTEGER NOT NULL DEFAULT 1,
    first_received  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_received   TIMESTAMPTZ NOT NULL DEFAULT now(),
    ends_at         TIMESTAMPTZ,
    resolved_at     TIMESTAMPTZ,
    UNIQUE (fingerprint, starts_at)
);
CREATE INDEX alerts_received_idx ON alerts (last_received DESC);

CREATE TABLE agent_jobs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL UNIQUE,
    trigger         TEXT NOT NULL,
    payload         JSONB NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    decision_id     UUID,
    error           TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ
);
CREATE INDEX agent_jobs_queued_idx ON agent_jobs (created_at) WHERE status = 'queued';

CREATE TABLE reorder_proposals (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    watch_id        BIGINT NOT NULL REFERENCES watches (id),
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    unit_cost       NUMERIC(12, 2) NOT NULL,
    total_cost      NUMERIC(14, 2) NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'received')),
    rationale       TEXT NOT NULL,
    inputs          JSONB NOT NULL,
    decision_id     UUID REFERENCES decisions (id),
    trigger         TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_at      TIMESTAMPTZ,
    decided_by      TEXT,
    decision_reason TEXT,
    received_at     TIMESTAMPTZ
);
-- Never two open proposals (pending, or approved and not yet received) for one watch.
CREATE UNIQUE INDEX reorder_proposals_one_open ON reorder_proposals (watch_id)
    WHERE status IN ('pending', 'approved');
CREATE INDEX reorder_proposals_status_idx ON reorder_proposals (status, created_at DESC);
