-- depends: 0005_spelling
-- LLM operations: versioned prompts with movable labels, and the decision log (one row per
-- agent run, one per LLM call attempt) that costs and dashboards are computed from.

CREATE TABLE prompt_versions (
    name            TEXT NOT NULL,
    version         INTEGER NOT NULL CHECK (version > 0),
    content_hash    TEXT NOT NULL,
    template        TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT 'file',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version),
    UNIQUE (name, content_hash)
);

CREATE TABLE prompt_labels (
    name        TEXT NOT NULL,
    label       TEXT NOT NULL CHECK (label ~ '^[a-z][a-z0-9_-]{0,39}$'),
    version     INTEGER NOT NULL,
    moved_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (name, label),
    FOREIGN KEY (name, version) REFERENCES prompt_versions (name, version)
);

CREATE TABLE decisions (
    id                  UUID PRIMARY KEY,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at         TIMESTAMPTZ,
    agent               TEXT NOT NULL CHECK (agent IN ('stock', 'shopper', 'eval')),
    trigger             TEXT NOT NULL,
    provider            TEXT CHECK (provider IN ('claude', 'ollama', 'offline')),
    model               TEXT,
    prompt_name         TEXT,
    prompt_version      INTEGER,
    outcome             TEXT NOT NULL DEFAULT 'running',
    input_tokens        BIGINT NOT NULL DEFAULT 0,
    output_tokens       BIGINT NOT NULL DEFAULT 0,
    cache_write_tokens  BIGINT NOT NULL DEFAULT 0,
    cache_read_tokens   BIGINT NOT NULL DEFAULT 0,
    cost_usd            NUMERIC(14, 6),
    latency_ms          INTEGER,
    fallback_reason     TEXT,
    error               TEXT,
    tool_calls          JSONB NOT NULL DEFAULT '[]',
    final_text          TEXT,
    metadata            JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX decisions_created_idx ON decisions (created_at DESC);
CREATE INDEX decisions_agent_idx ON decisions (agent, created_at DESC);

CREATE TABLE llm_calls (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id         UUID NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    agent               TEXT NOT NULL,
    provider            TEXT NOT NULL,
    model               TEXT NOT NULL,
    attempt             INTEGER NOT NULL DEFAULT 1,
    outcome             TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'skipped')),
    error_kind          TEXT,
    error               TEXT,
    stop_reason         TEXT,
    input_tokens        BIGINT NOT NULL DEFAULT 0,
    output_tokens       BIGINT NOT NULL DEFAULT 0,
    cache_write_tokens  BIGINT NOT NULL DEFAULT 0,
    cache_read_tokens   BIGINT NOT NULL DEFAULT 0,
    cost_usd            NUMERIC(14, 6),
    latency_ms          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX llm_calls_decision_idx ON llm_calls (decision_id);
CREATE INDEX llm_calls_created_idx ON llm_calls (created_at);
