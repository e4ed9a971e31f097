-- depends: 0010_job_leases
-- A run's fallbacks are a list of {provider, reason}, not a "; "-joined string parsed back with split_part.
ALTER TABLE decisions ADD COLUMN fallbacks JSONB NOT NULL DEFAULT '[]'::jsonb;
UPDATE decisions SET fallbacks = (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'provider', split_part(item, ': ', 1),
               'reason', coalesce(nullif(split_part(item, ': ', 2), ''), item))), '[]'::jsonb)
    FROM unnest(string_to_array(fallback_reason, '; ')) AS item)
WHERE fallback_reason IS NOT NULL;
ALTER TABLE decisions DROP COLUMN fallback_reason;
