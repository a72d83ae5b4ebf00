-- The agent session a span belongs to (session.id, gen_ai.conversation.id, ... computed at ingest): the
-- unit normalization works on, since spans and log events of one conversation are merged there.
ALTER TABLE spans ADD COLUMN IF NOT EXISTS session_id String DEFAULT '' CODEC(ZSTD(1)) AFTER service_name;
ALTER TABLE spans ADD INDEX IF NOT EXISTS idx_session_id session_id TYPE bloom_filter(0.001) GRANULARITY 1;

-- Normalized operations (agent and subagent runs, LLM calls, tool calls, compaction, ...) with the failures
-- found on them. Rebuilt per group (a session, or a trace without one) when the group's data settles and
-- again when late data arrives: every rebuild writes the group's operations with a new `version` and a
-- tombstone (is_deleted = 1) for each operation the new rebuild no longer has, so reads with FINAL see
-- exactly the latest rebuild. `day` is fixed when an operation is first written (its partition), so a
-- rebuild's rows always replace the previous ones even when a late span moves the start time.
CREATE TABLE IF NOT EXISTS operations
(
    project_id LowCardinality(String) CODEC(ZSTD(1)),
    day Date CODEC(Delta(2), ZSTD(1)),
    group_key String CODEC(ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    parent_span_id String CODEC(ZSTD(1)),
    start_time DateTime64(9, 'UTC') CODEC(Delta(8), ZSTD(1)),
    end_time DateTime64(9, 'UTC') CODEC(Delta(8), ZSTD(1)),
    duration_ms Float64 MATERIALIZED (toUnixTimestamp64Nano(end_time) - toUnixTimestamp64Nano(start_time)) / 1e6 CODEC(ZSTD(1)),
    kind LowCardinality(String) CODEC(ZSTD(1)),
    dialect LowCardinality(String) CODEC(ZSTD(1)),
    source LowCardinality(String) CODEC(ZSTD(1)),
    name LowCardinality(String) CODEC(ZSTD(1)),
    service_name LowCardinality(String) CODEC(ZSTD(1)),
    agent_name LowCardinality(String) CODEC(ZSTD(1)),
    agent_id String CODEC(ZSTD(1)),
    parent_agent_id String CODEC(ZSTD(1)),
    depth UInt8 CODEC(ZSTD(1)),
    session_id String CODEC(ZSTD(1)),
    user_id String CODEC(ZSTD(1)),
    request_model LowCardinality(String) CODEC(ZSTD(1)),
    response_model LowCardinality(String) CODEC(ZSTD(1)),
    provider LowCardinality(String) CODEC(ZSTD(1)),
    input_tokens Nullable(UInt64) CODEC(ZSTD(1)),
    output_tokens Nullable(UInt64) CODEC(ZSTD(1)),
    cache_read_tokens Nullable(UInt64) CODEC(ZSTD(1)),
    cache_write_tokens Nullable(UInt64) CODEC(ZSTD(1)),
    reasoning_tokens Nullable(UInt64) CODEC(ZSTD(1)),
    cost_usd Nullable(Float64) CODEC(ZSTD(1)),
    finish_reason LowCardinality(String) CODEC(ZSTD(1)),
    tool_name LowCardinality(String) CODEC(ZSTD(1)),
    tool_call_id String CODEC(ZSTD(1)),
    tool_arguments String CODEC(ZSTD(3)),
    tool_result String CODEC(ZSTD(3)),
    status LowCardinality(String) CODEC(ZSTD(1)),
    error_type LowCardinality(String) CODEC(ZSTD(1)),
    error_message String CODEC(ZSTD(3)),
    -- JSON text: ChatMessage[] / ToolDefinition[] (docs/normalization.md).
    input_messages String CODEC(ZSTD(3)),
    output_messages String CODEC(ZSTD(3)),
    tools String CODEC(ZSTD(3)),
    compaction_trigger LowCardinality(String) CODEC(ZSTD(1)),
    compaction_tokens_before Nullable(UInt64) CODEC(ZSTD(1)),
    compaction_tokens_after Nullable(UInt64) CODEC(ZSTD(1)),
    compaction_estimated UInt8 CODEC(ZSTD(1)),
    request_id String CODEC(ZSTD(1)),
    -- Failures found on this operation (docs/failure-modes.md), one array element per failure.
    failure_modes Array(LowCardinality(String)) CODEC(ZSTD(1)),
    failure_severities Array(LowCardinality(String)) CODEC(ZSTD(1)),
    failure_detectors Array(LowCardinality(String)) CODEC(ZSTD(1)),
    failure_evidence Array(String) CODEC(ZSTD(3)),
    version UInt64 CODEC(Delta(8), ZSTD(1)),
    is_deleted UInt8 CODEC(ZSTD(1)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_group_key group_key TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_session_id session_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_tool tool_name TYPE set(1000) GRANULARITY 4,
    INDEX idx_failure_modes failure_modes TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version, is_deleted)
PARTITION BY day
ORDER BY (project_id, day, group_key, trace_id, span_id)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- Small key/value state of the service (the normalization watermark), latest write wins.
CREATE TABLE IF NOT EXISTS tracemill_state
(
    name String,
    value String,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY name;
