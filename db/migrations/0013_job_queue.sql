-- depends: 0012_decision_skipped
-- The job queue moves to procrastinate (its tables come from db/queue_schema.py, applied before this).
-- What a finished job produced (the stock agent's decision) or why it failed, keyed by the queue's job
-- id; no foreign key, so the queue may prune its old jobs without touching our records.
CREATE TABLE job_outcomes (
    job_id       BIGINT PRIMARY KEY,
    kind         TEXT NOT NULL,
    decision_id  UUID,
    error        TEXT,
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Stock-agent runs still waiting (or held by a worker of the old queue) are carried over, so an upgrade
-- loses none; finished ones stay only in the decision log.
DO $$
BEGIN
    PERFORM procrastinate_defer_jobs_v1(array_agg(
                ROW('agent', 'stock_agent', 0, NULL, dedupe_key,
                    jsonb_build_object('trigger', trigger,
                                       'alert', CASE WHEN payload = '{}'::jsonb THEN NULL ELSE payload END),
                    NULL)::procrastinate_job_to_defer_v1 ORDER BY id))
    FROM agent_jobs
    WHERE status IN ('queued', 'running')
    HAVING count(*) > 0;
END
$$;

DROP TABLE agent_jobs;
