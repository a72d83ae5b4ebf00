// The service's own counters, exposed in Prometheus text format at GET /metrics. One registry per service
// instance (not prom-client's global one), so several services in one process never share counts.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type ErrorCode, answerFor } from './model/errors.js';

/** The `reason` label: the error's code in the error table (src/model/errors.ts). */
export type RejectReason = ErrorCode;

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly accepted = new Counter({
    name: 'tracemill_items_accepted_total',
    help: 'Spans, log records and data points committed to the store',
    labelNames: ['project', 'signal'],
    registers: [this.registry],
  });
  readonly rejectedItems = new Counter({
    name: 'tracemill_items_rejected_total',
    help: 'Items refused one by one and reported as partial success (invalid ids, times, ...)',
    labelNames: ['project', 'signal'],
    registers: [this.registry],
  });
  readonly rejectedRequests = new Counter({
    name: 'tracemill_requests_rejected_total',
    help: 'Export requests answered with an error, by reason (store_* and queue_full and rate_limited are retryable)',
    labelNames: ['signal', 'transport', 'reason'],
    registers: [this.registry],
  });
  readonly truncated = new Counter({
    name: 'tracemill_values_truncated_total',
    help: 'Attribute values and log bodies cut to TRACEMILL_MAX_VALUE_CHARS (flagged in tracemill.truncated)',
    labelNames: ['project', 'signal'],
    registers: [this.registry],
  });
  readonly dropped = new Counter({
    name: 'tracemill_attributes_dropped_total',
    help: 'Attributes beyond TRACEMILL_MAX_ATTRIBUTES (counted in dropped_attributes_count)',
    labelNames: ['project', 'signal'],
    registers: [this.registry],
  });
  readonly written = new Counter({
    name: 'tracemill_rows_written_total',
    help: 'Rows inserted, per table',
    labelNames: ['table'],
    registers: [this.registry],
  });
  readonly insertSeconds = new Histogram({
    name: 'tracemill_insert_duration_seconds',
    help: 'Duration of grouped INSERTs into the store',
    labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly settleRebuilds = new Counter({
    name: 'tracemill_settle_rebuilds_total',
    help: 'Groups (conversations or traces) whose normalized records were rebuilt',
    registers: [this.registry],
  });
  readonly settleRowsRead = new Counter({
    name: 'tracemill_settle_rows_read_total',
    help: 'Stored span and log rows read by rebuilds (an incremental rebuild reads the traces that changed and its conversation\'s recent traces, not the whole conversation)',
    labelNames: ['table'],
    registers: [this.registry],
  });

  readonly settleOverflows = new Counter({
    name: 'tracemill_settle_overflows_total',
    help: 'Times the settle backlog reached TRACEMILL_SETTLE_MAX_PENDING; the groups left out are caught up from the stored data',
    registers: [this.registry],
  });

  readonly jobRuns = new Counter({
    name: 'tracemill_job_runs_total',
    help: 'Scheduled job runs (docs/jobs.md) by job and outcome: ok, failed (retried at the next tick from the same watermark), skipped (another replica ran the tick)',
    labelNames: ['job', 'status'],
    registers: [this.registry],
  });
  readonly jobLastSuccess = new Gauge({
    name: 'tracemill_job_last_success_timestamp_seconds',
    help: 'When each scheduled job last finished a run successfully (Unix seconds)',
    labelNames: ['job'],
    registers: [this.registry],
  });

  constructor(sources: { queuedBytes(): number; queuedRequests(): number; pendingGroups(): number; settledThrough?(): number }) {
    new Gauge({
      name: 'tracemill_write_queue_bytes',
      help: 'Encoded rows waiting for or in an INSERT',
      registers: [this.registry],
      collect() {
        this.set(sources.queuedBytes());
      },
    });
    new Gauge({
      name: 'tracemill_write_queue_requests',
      help: 'Requests waiting for their INSERT',
      registers: [this.registry],
      collect() {
        this.set(sources.queuedRequests());
      },
    });
    new Gauge({
      name: 'tracemill_settle_pending_groups',
      help: 'Conversations or traces waiting to be normalized',
      registers: [this.registry],
      collect() {
        this.set(sources.pendingGroups());
      },
    });
    new Gauge({
      name: 'tracemill_settle_lag_seconds',
      help: 'Age of the oldest ingested data not yet normalized (0 when everything is): how far failure statistics trail ingest',
      registers: [this.registry],
      collect() {
        const through = sources.settledThrough?.();
        this.set(through === undefined ? 0 : Math.max(0, (Date.now() - through) / 1000));
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'tracemill_' });
  }
}

/** Why an export was refused, from the error the pipeline raised. */
export function rejectReason(err: Error): RejectReason {
  return answerFor(err, 0).code;
}
