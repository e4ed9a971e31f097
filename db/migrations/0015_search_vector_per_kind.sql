-- depends: 0014_nfkc_emails
-- One HNSW graph per kind of embedding. With one graph for watches and reviews together, a search for
-- reviews (a small share of the rows in a large catalog) walked most of the graph through pgvector's
-- iterative scan before it found enough reviews; each kind now has its own partial index.
DROP INDEX IF EXISTS search_embeddings_hnsw_384;
CREATE INDEX search_embeddings_hnsw_384_watch ON search_embeddings
    USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dims = 384 AND kind = 'watch';
CREATE INDEX search_embeddings_hnsw_384_review ON search_embeddings
    USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dims = 384 AND kind = 'review';
