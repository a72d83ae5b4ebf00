-- Merge small parts in larger groups. The raw tables take many small INSERTs (one per group commit), and a
-- merge rewrites every row it touches: merging at least 30 parts at once instead of a handful means each row
-- is rewritten fewer times on its way into a large part. Measured with npm run bench on 2 cores, tool-sized
-- spans at half the maximum rate: merges took half of the service's CPU before this, and CPU per span fell
-- by about 40% (with TRACEMILL_BATCH_MIN_INTERVAL_MS). The cost is more parts per day for reads to open.
ALTER TABLE spans MODIFY SETTING min_parts_to_merge_at_once = 30;
ALTER TABLE trace_index MODIFY SETTING min_parts_to_merge_at_once = 30;
ALTER TABLE logs MODIFY SETTING min_parts_to_merge_at_once = 30;
