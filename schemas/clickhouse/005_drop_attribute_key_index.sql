-- The bloom filter over span attribute keys served no query tracemill runs, and it cost every row on insert and
-- again on every merge (measured on tool-sized spans: about 6% of the engine's INSERT CPU and 17% of a merge's).
ALTER TABLE spans DROP INDEX IF EXISTS idx_attr_keys;
