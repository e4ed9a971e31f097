-- depends: 0003_payments
-- Search: a text document and weighted tsvector per watch (kept by a trigger, so lexical search
-- works before any embedding exists), embeddings of watches and reviews for any model (vector
-- without a fixed dimension; an HNSW index per dimension on an expression cast), a vocabulary for
-- typo correction, and the queries that found nothing.

CREATE FUNCTION watches_search_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := concat_ws(' ',
        NEW.reference, NEW.name, NEW.collection, NEW.category, replace(NEW.movement, '_', ' '), NEW.caliber,
        NEW.dial_color, 'dial', NEW.case_material, NEW.strap, replace(array_to_string(NEW.features, ' '), '_', ' '),
        NEW.crystal, NEW.description);
    NEW.search_tsv :=
        setweight(to_tsvector('english', concat_ws(' ', NEW.reference, NEW.name, NEW.collection)), 'A') ||
        setweight(to_tsvector('english', concat_ws(' ', NEW.category, replace(NEW.movement, '_', ' '), NEW.caliber,
            NEW.dial_color, NEW.case_material, NEW.strap, replace(array_to_string(NEW.features, ' '), '_', ' '),
            NEW.crystal)), 'B') ||
        setweight(to_tsvector('english', NEW.description), 'C');
    RETURN NEW;
END $$;

ALTER TABLE watches ADD COLUMN search_document TEXT NOT NULL DEFAULT '';
ALTER TABLE watches ADD COLUMN search_tsv TSVECTOR;
CREATE TRIGGER watches_search_fields BEFORE INSERT OR UPDATE ON watches
    FOR EACH ROW EXECUTE FUNCTION watches_search_fields();
UPDATE watches SET name = name;
CREATE INDEX watches_search_tsv_idx ON watches USING gin (search_tsv);

CREATE TABLE search_embeddings (
    kind            TEXT NOT NULL CHECK (kind IN ('watch', 'review')),
    item_id         BIGINT NOT NULL,
    watch_id        BIGINT NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    model           TEXT NOT NULL,
    dims            INTEGER NOT NULL CHECK (dims > 0),
    content_hash    TEXT NOT NULL,
    embedding       vector NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, item_id, model)
);
CREATE INDEX search_embeddings_watch_idx ON search_embeddings (watch_id);
-- The default model (all-MiniLM-L6-v2) has 384 dimensions; the indexer adds indexes for others.
CREATE INDEX search_embeddings_hnsw_384 ON search_embeddings
    USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dims = 384;

CREATE TABLE search_vocabulary (word TEXT PRIMARY KEY);
CREATE INDEX search_vocabulary_trgm_idx ON search_vocabulary USING gin (word gin_trgm_ops);

CREATE TABLE search_misses (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    query       TEXT NOT NULL,
    mode        TEXT NOT NULL,
    filters     JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX search_misses_created_idx ON search_misses (created_at DESC);
