-- Raw log records, every OTLP field kept (body and attributes as string values plus the types of non-string values).
-- A log record has no id, so record_hash (64 bits of a hash over the whole record, computed at ingest) stands in
-- for one: an exporter retry re-sends the same bytes and collapses into one row, distinct records never do.
-- Queries read with FINAL (or LIMIT 1 BY) so duplicates are never counted before a merge.
-- session_id (attribute session.id, or conversation.id for Codex) leads the key after the day: the common read is
-- "the events of one session in time order"; trace id and event name lookups use the skip indexes.
CREATE TABLE IF NOT EXISTS logs
(
    project_id LowCardinality(String) CODEC(ZSTD(1)),
    time DateTime64(9, 'UTC') CODEC(Delta(8), ZSTD(1)),
    observed_time DateTime64(9, 'UTC') CODEC(Delta(8), ZSTD(1)),
    -- The log data model says: use observed time when time is unset (0).
    timestamp DateTime64(9, 'UTC') MATERIALIZED if(toUnixTimestamp64Nano(time) = 0, observed_time, time) CODEC(Delta(8), ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    flags UInt32 CODEC(ZSTD(1)),
    severity_number Int32 CODEC(ZSTD(1)),
    severity_text LowCardinality(String) CODEC(ZSTD(1)),
    event_name LowCardinality(String) CODEC(ZSTD(1)),
    session_id String CODEC(ZSTD(1)),
    body String CODEC(ZSTD(3)),
    -- 'string', or the AnyValue type of a non-string body (kvlist and array bodies are OTLP/JSON text).
    body_type LowCardinality(String) CODEC(ZSTD(1)),
    service_name LowCardinality(String) CODEC(ZSTD(1)),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    attribute_types Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    dropped_attributes_count UInt32 CODEC(ZSTD(1)),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    resource_attribute_types Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    resource_dropped_attributes_count UInt32 CODEC(ZSTD(1)),
    resource_schema_url LowCardinality(String) CODEC(ZSTD(1)),
    scope_name LowCardinality(String) CODEC(ZSTD(1)),
    scope_version LowCardinality(String) CODEC(ZSTD(1)),
    scope_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_attribute_types Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    scope_dropped_attributes_count UInt32 CODEC(ZSTD(1)),
    scope_schema_url LowCardinality(String) CODEC(ZSTD(1)),
    record_hash UInt64 CODEC(ZSTD(1)),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta(8), ZSTD(1)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_session_id session_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_event_name event_name TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_keys mapKeys(attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_service service_name TYPE set(100) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(timestamp)
ORDER BY (project_id, toDate(timestamp), session_id, timestamp, trace_id, span_id, record_hash)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- Metric data points, one row per point of any type (gauge, sum, histogram, exponential_histogram, summary);
-- columns of the other types stay empty. value is the point as a double (as_int converted), value_int keeps
-- an as_int exactly. session_id and model are lifted out of the point attributes because the agent CLIs'
-- counters (claude_code.token.usage, claude_code.cost.usage, codex.*, gemini_cli.*) are read per session and
-- model; the token `type` stays in attributes['type'].
-- point_hash plays the same role as logs.record_hash: a re-sent point collapses, distinct points never do.
CREATE TABLE IF NOT EXISTS metric_points
(
    project_id LowCardinality(String) CODEC(ZSTD(1)),
    start_time DateTime64(9, 'UTC') CODEC(Delta(8), ZSTD(1)),
    time DateTime64(9, 'UTC') CODEC(Delta(8), ZSTD(1)),
    metric_name LowCardinality(String) CODEC(ZSTD(1)),
    metric_description LowCardinality(String) CODEC(ZSTD(1)),
    metric_unit LowCardinality(String) CODEC(ZSTD(1)),
    metric_type LowCardinality(String) CODEC(ZSTD(1)),
    -- OTLP AggregationTemporality: 0 unspecified (gauge, summary), 1 delta, 2 cumulative.
    aggregation_temporality Int32 CODEC(ZSTD(1)),
    is_monotonic Bool CODEC(ZSTD(1)),
    metadata Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    metadata_types Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    service_name LowCardinality(String) CODEC(ZSTD(1)),
    session_id String CODEC(ZSTD(1)),
    model LowCardinality(String) CODEC(ZSTD(1)),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    attribute_types Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    flags UInt32 CODEC(ZSTD(1)),
    -- 'double', 'int', or '' for a gauge/sum point without a value and for the other types.
    value_type LowCardinality(String) CODEC(ZSTD(1)),
    value Float64 CODEC(Gorilla, ZSTD(1)),
    value_int Nullable(Int64) CODEC(ZSTD(1)),
    count UInt64 CODEC(T64, ZSTD(1)),
    sum Nullable(Float64) CODEC(ZSTD(1)),
    min Nullable(Float64) CODEC(ZSTD(1)),
    max Nullable(Float64) CODEC(ZSTD(1)),
    bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    explicit_bounds Array(Float64) CODEC(ZSTD(1)),
    scale Int32 CODEC(ZSTD(1)),
    zero_count UInt64 CODEC(ZSTD(1)),
    zero_threshold Float64 CODEC(ZSTD(1)),
    positive_offset Int32 CODEC(ZSTD(1)),
    positive_bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    negative_offset Int32 CODEC(ZSTD(1)),
    negative_bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    quantiles Array(Float64) CODEC(ZSTD(1)),
    quantile_values Array(Float64) CODEC(ZSTD(1)),
    -- OTLP/JSON array of Exemplar, '[]' when none.
    exemplars String CODEC(ZSTD(3)),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    resource_attribute_types Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    resource_dropped_attributes_count UInt32 CODEC(ZSTD(1)),
    resource_schema_url LowCardinality(String) CODEC(ZSTD(1)),
    scope_name LowCardinality(String) CODEC(ZSTD(1)),
    scope_version LowCardinality(String) CODEC(ZSTD(1)),
    scope_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_attribute_types Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    scope_dropped_attributes_count UInt32 CODEC(ZSTD(1)),
    scope_schema_url LowCardinality(String) CODEC(ZSTD(1)),
    point_hash UInt64 CODEC(ZSTD(1)),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta(8), ZSTD(1)),
    INDEX idx_session_id session_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_model model TYPE set(100) GRANULARITY 4,
    INDEX idx_attr_keys mapKeys(attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_service service_name TYPE set(100) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(time)
ORDER BY (project_id, toDate(time), metric_name, session_id, time, point_hash)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;
