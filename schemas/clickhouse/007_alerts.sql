-- The tool each failure is about, parallel to failure_modes: an invalid_tool_arguments failure sits on the LLM
-- call that produced the bad call, whose tool_name is empty, yet it is a failure of the tool it named.
-- Rows written before this migration read as the operation's own tool.
ALTER TABLE operations ADD COLUMN IF NOT EXISTS failure_tools Array(LowCardinality(String)) DEFAULT arrayMap(x -> tool_name, failure_modes) CODEC(ZSTD(1)) AFTER failure_evidence;

-- Regression alerts (src/alerts/loop.ts, docs/regressions.md): one row per state change of an alert, the
-- latest (updated_at) wins. `evidence` is the JSON of the figures, the test, example trace ids and the first
-- harness / model where the increase appears.
CREATE TABLE IF NOT EXISTS alerts
(
    project_id LowCardinality(String),
    id String,
    alert_key String,
    status LowCardinality(String),
    mode LowCardinality(String),
    tool String,
    model String,
    harness String,
    opened_at DateTime64(3, 'UTC'),
    resolved_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC'),
    summary String,
    evidence String CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (project_id, id);

-- Every attempt to deliver an alert notification, and its outcome (delivered, failed, giving_up).
CREATE TABLE IF NOT EXISTS alert_deliveries
(
    project_id LowCardinality(String),
    alert_id String,
    event LowCardinality(String),
    destination String,
    attempt UInt16,
    outcome LowCardinality(String),
    status_code UInt16,
    error String,
    at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (project_id, alert_id, at);
