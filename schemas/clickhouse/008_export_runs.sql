-- Scheduled jobs (docs/jobs.md). A replica that wants to run a job's tick first inserts a claim row keyed by
-- (job, tick), waits a moment for concurrent claims to land, and reads back the winner: the earliest
-- claimed_at (ties: the smallest replica id). Only the winner runs the tick. Old claims are dropped after 30 days.
CREATE TABLE IF NOT EXISTS export_claims
(
    job String,
    tick DateTime64(3, 'UTC'),
    replica String,
    claimed_at DateTime64(6, 'UTC') DEFAULT now64(6)
)
ENGINE = MergeTree
ORDER BY (job, tick)
TTL toDateTime(tick) + INTERVAL 30 DAY;

-- Run history: one row per run, rewritten as the run goes (running -> ok | failed); the latest write wins.
-- The watermark of the newest ok run is where the next run starts, so a failed run is redone from there.
CREATE TABLE IF NOT EXISTS export_runs
(
    job String,
    run_id String,
    tick DateTime64(3, 'UTC'),
    replica String,
    trigger LowCardinality(String),
    status LowCardinality(String),
    started_at DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    window_from Nullable(DateTime64(3, 'UTC')),
    window_to Nullable(DateTime64(3, 'UTC')),
    watermark Nullable(DateTime64(3, 'UTC')),
    files UInt32,
    bytes UInt64,
    manifest String CODEC(ZSTD(3)),
    error String,
    webhook String,
    updated_at DateTime64(6, 'UTC') DEFAULT now64(6)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (job, run_id);
