-- depends: 0011_decision_fallbacks
-- What a run did not do, and why (a watch left out by the daily cap, an open proposal, a recent
-- rejection, stock on order): shown beside what it did, never hidden behind "completed".
ALTER TABLE decisions ADD COLUMN skipped JSONB NOT NULL DEFAULT '[]'::jsonb;
CREATE INDEX reorder_proposals_rejected_idx ON reorder_proposals (watch_id, decided_at DESC) WHERE status = 'rejected';
