-- Raw spans, every OTLP field kept (attributes as string values plus the types of non-string values).
-- ReplacingMergeTree on (project, day, trace, span): an exporter retry that re-sends a span collapses
-- into one row; queries read with FINAL (or LIMIT 1 BY) so duplicates are never counted before a merge.
CREATE TABLE IF NOT EXISTS spans
(
    project_id LowCardinality(String) CODEC(ZSTD(1)),
    start_time DateTime64(9, 'UTC') CODEC(Delta(8), ZSTD(1)),
    end_time DateTime64(9, 'UTC') CODEC(Delta(8), ZSTD(1)),
    duration_ns Int64 MATERIALIZED toUnixTimestamp64Nano(end_time) - toUnixTimestamp64Nano(start_time) CODEC(T64, ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    parent_span_id String CODEC(ZSTD(1)),
    trace_state String CODEC(ZSTD(1)),
    flags UInt32 CODEC(ZSTD(1)),
    name LowCardinality(String) CODEC(ZSTD(1)),
    kind Int32 CODEC(ZSTD(1)),
    status_code Int32 CODEC(ZSTD(1)),
    status_message String CODEC(ZSTD(1)),
    service_name LowCardinality(String) CODEC(ZSTD(1)),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    attribute_types Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    dropped_attributes_count UInt32 CODEC(ZSTD(1)),
    events String CODEC(ZSTD(3)),
    dropped_events_count UInt32 CODEC(ZSTD(1)),
    links String CODEC(ZSTD(3)),
    dropped_links_count UInt32 CODEC(ZSTD(1)),
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
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta(8), ZSTD(1)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_attr_keys mapKeys(attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_service service_name TYPE set(100) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(start_time)
ORDER BY (project_id, toDate(start_time), trace_id, span_id)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- trace id -> time range, so a trace fetch reads only the days the trace spans.
CREATE TABLE IF NOT EXISTS trace_index
(
    project_id LowCardinality(String),
    trace_id String CODEC(ZSTD(1)),
    start_time SimpleAggregateFunction(min, DateTime64(9, 'UTC')),
    end_time SimpleAggregateFunction(max, DateTime64(9, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (project_id, trace_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS trace_index_mv TO trace_index AS
SELECT project_id, trace_id, min(start_time) AS start_time, max(end_time) AS end_time
FROM spans
GROUP BY project_id, trace_id;
