-- depends: 0009_evals
-- A claimed job holds a lease: when a worker dies mid-run its job is not stuck in 'running' forever,
-- another worker reclaims it after the lease, up to a maximum number of attempts.
ALTER TABLE agent_jobs ADD COLUMN lease_expires_at TIMESTAMPTZ;
CREATE INDEX agent_jobs_lease_idx ON agent_jobs (lease_expires_at) WHERE status = 'running';
