-- depends: 0004_search
-- Edit distance for spelling correction (trigram similarity alone misses transpositions and
-- short words). The vocabulary keeps only words that carry meaning, not English stopwords.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
DELETE FROM search_vocabulary WHERE to_tsvector('english', word) = ''::tsvector;
