// The processing stage between receivers and the store: decoded items -> limits -> table rows -> group
// commit -> counters, and the settle loop told which groups to normalize. Every transport shares it.
import type { IngestContext, Signal, Sink } from './receivers/export.js';
import { TracemillError } from './model/errors.js';
import { type ItemLimits, type LimitOutcome, limitLogs, limitSpans } from './receivers/limits.js';
import { rejectedCount } from './model/otlp.js';
import type { ServiceMetrics } from './service-metrics.js';
import { CONVERSATION_KEYS, SESSION_KEYS } from './normalize/dialects/index.js';
import type { MetricPoint } from './model/metrics.js';
import type { LogRecord, Span } from './model/otlp.js';
import type { GroupTouch } from './settle/groups.js';
import { encodeLogs } from './store/rows/logs.js';
import { encodeMetricPoints } from './store/rows/metrics.js';
import type { CommittedMessages } from './store/rows/messages.js';
import { spanTables } from './store/rows/spans.js';
import type { BatchWriter, TableRows } from './store/writer.js';

export type RowBuilder = (items: unknown[], ctx: IngestContext) => TableRows[];

/** Span rows; `committed` remembers the history messages already in the store (rows/messages.ts). */
export function spanRows(committed?: CommittedMessages): RowBuilder {
  return (spans, ctx) => spanTables(ctx.project, spans as Span[], CONVERSATION_KEYS, committed);
}

export function logRows(records: LogRecord[], ctx: IngestContext): TableRows[] {
  return [encodeLogs(ctx.project, records, SESSION_KEYS)];
}

export function metricRows(points: MetricPoint[], ctx: IngestContext): TableRows[] {
  return [encodeMetricPoints(ctx.project, points, SESSION_KEYS)];
}

export interface SinkOptions {
  /**
   * What afterCommit needs of a request's items, taken before the write: the items themselves are not kept
   * while the INSERT runs (they would survive into the old generation and make every collection dearer).
   */
  commitKeys?: (signal: string, items: unknown[]) => GroupTouch[];
  /** Called once a request's rows are committed (the settle loop marks their groups for normalization). */
  afterCommit?: (signal: string, keys: GroupTouch[], ctx: IngestContext) => void;
  limits?: ItemLimits;
  metrics?: ServiceMetrics;
  /** Most items accepted in one request; more is refused with 413 (send smaller batches). */
  maxItemsPerRequest?: number;
}

export function createSink(writer: BatchWriter, builders: Record<string, RowBuilder>, opts: SinkOptions = {}): Sink {
  // Not async, for the reason given at runExport (src/receivers/export.ts): the callback that runs after the
  // commit must not keep the items alive, so everything it needs is taken before the write.
  const sink: Sink = <T>(signal: Signal<T>, items: T[], ctx: IngestContext): Promise<void> => {
    let written: Promise<void>;
    let count: number;
    let keys: GroupTouch[];
    let limited: LimitOutcome | undefined;
    try {
      const build = builders[signal.name];
      if (!build) throw new Error(`no pipeline for signal ${signal.name}`);
      if (opts.maxItemsPerRequest && items.length > opts.maxItemsPerRequest) {
        throw new TracemillError(
          'too_large',
          `${items.length} ${signal.noun}s in one request, more than ${opts.maxItemsPerRequest} (TRACEMILL_MAX_ITEMS_PER_REQUEST); send smaller batches (e.g. OTEL_BSP_MAX_EXPORT_BATCH_SIZE)`,
        );
      }
      if (opts.limits && signal.name === 'traces') limited = limitSpans(items as Span[], opts.limits);
      else if (opts.limits && signal.name === 'logs') limited = limitLogs(items as LogRecord[], opts.limits);
      count = items.length;
      keys = opts.commitKeys?.(signal.name, items as unknown[]) ?? [];
      written = writer.write(build(items as unknown[], ctx));
    } catch (e) {
      return Promise.reject(e);
    }
    const name = signal.name;
    return written.then(() => {
      const m = opts.metrics;
      if (m) {
        m.accepted.inc({ project: ctx.project, signal: name }, count);
        const rejected = rejectedCount(ctx.rejected);
        if (rejected) m.rejectedItems.inc({ project: ctx.project, signal: name }, rejected);
        if (limited?.truncated) m.truncated.inc({ project: ctx.project, signal: name }, limited.truncated);
        if (limited?.dropped) m.dropped.inc({ project: ctx.project, signal: name }, limited.dropped);
      }
      opts.afterCommit?.(name, keys, ctx);
    });
  };
  // The receivers apply the item limit while decoding, so an oversized request is refused before it is built.
  sink.maxItems = opts.maxItemsPerRequest;
  return sink;
}
