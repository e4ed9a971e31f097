-- depends: 0020_events
-- Each decision keeps the OpenTelemetry trace of its run (the `invoke_agent` span), so the ops console
-- can link to it and an approval can link back to the run that proposed it. Null when tracing is off.
ALTER TABLE decisions ADD COLUMN trace_id text CHECK (trace_id ~ '^[0-9a-f]{32}$'),
                      ADD COLUMN span_id text CHECK (span_id ~ '^[0-9a-f]{16}$');
CREATE INDEX decisions_trace_id ON decisions (trace_id) WHERE trace_id IS NOT NULL;
