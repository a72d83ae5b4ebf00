-- The tail of each conversation: its most recent traces (id and time range), as JSON. An incremental rebuild
-- of a conversation reads these traces as context instead of the whole conversation (src/analysis/tail.ts).
-- One row per rebuild; the latest version wins. Small: a bounded list per conversation.
CREATE TABLE IF NOT EXISTS conversation_tails
(
    project_id LowCardinality(String),
    group_key String,
    version UInt64,
    tail String CODEC(ZSTD(1)),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (project_id, group_key)
TTL toDateTime(updated_at) + INTERVAL 90 DAY;
