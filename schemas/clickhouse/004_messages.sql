-- Content-addressed message history (src/store/rows/messages.ts). An agent resends its whole conversation with
-- every LLM call; each message of a history attribute (gen_ai.input.messages, ...) is stored here once per
-- project, keyed by 128 bits of the SHA-256 of its text, and the span keeps a skeleton of the attribute with
-- NUL + key in place of each message (typed 'msgref' in attribute_types). Readers expand skeletons back to
-- the exact text that was sent. last_seen moves on when a message in use is written again (at most hourly),
-- and the retention TTL (on last_seen) keeps messages two days longer than spans (RETENTION_MARGIN_DAYS in
-- src/store/migrate.ts): a message is never removed while a span in retention refers to it.
CREATE TABLE IF NOT EXISTS messages
(
    project_id LowCardinality(String) CODEC(ZSTD(1)),
    hash String CODEC(ZSTD(1)),
    -- The conversation it was first stored for (informational: the key is the content alone).
    session_id String CODEC(ZSTD(1)),
    content String CODEC(ZSTD(3)),
    last_seen DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1))
)
ENGINE = ReplacingMergeTree(last_seen)
ORDER BY (project_id, hash)
SETTINGS index_granularity = 256;
