-- depends: 0008_chat
-- Prompt A/B evals: a run compares a baseline and a candidate prompt variant over a suite of cases;
-- each result keeps the raw output, so runs can be scored again without calling models.

CREATE TABLE eval_runs (
    id              UUID PRIMARY KEY,
    suite           TEXT NOT NULL,
    prompt_name     TEXT NOT NULL,
    baseline        TEXT NOT NULL,
    candidate       TEXT NOT NULL,
    baseline_version INTEGER NOT NULL,
    candidate_version INTEGER NOT NULL,
    repetitions     INTEGER NOT NULL,
    providers       TEXT[] NOT NULL,
    margin          NUMERIC(6, 4) NOT NULL,
    mean_diff       DOUBLE PRECISION,
    diff_low        DOUBLE PRECISION,
    diff_high       DOUBLE PRECISION,
    p_value         DOUBLE PRECISION,
    not_worse       BOOLEAN,
    report_html     TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX eval_runs_suite_idx ON eval_runs (suite, created_at DESC);

CREATE TABLE eval_results (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id          UUID NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
    case_id         TEXT NOT NULL,
    variant         TEXT NOT NULL,
    provider        TEXT NOT NULL,
    repetition      INTEGER NOT NULL,
    output          JSONB NOT NULL,
    score           DOUBLE PRECISION NOT NULL,
    passed          BOOLEAN NOT NULL,
    explanations    JSONB NOT NULL,
    cost_usd        NUMERIC(14, 6),
    latency_ms      INTEGER NOT NULL,
    input_tokens    BIGINT NOT NULL DEFAULT 0,
    output_tokens   BIGINT NOT NULL DEFAULT 0,
    decision_id     UUID
);
CREATE INDEX eval_results_run_idx ON eval_results (run_id);
