// The processing stage between receivers and the store: decoded items -> table rows -> group commit.
// Normalization and span-local failure detection plug in here, so every transport shares them.
import type { IngestContext, Signal, Sink } from './receivers/export.js';
import type { MetricPoint } from './receivers/otlp/metrics.js';
import type { LogRecord, Span } from './receivers/otlp/model.js';
import { encodeLogs } from './store/rows/logs.js';
import { encodeMetricPoints } from './store/rows/metrics.js';
import { encodeSpans } from './store/rows/spans.js';
import type { BatchWriter, TableRows } from './store/writer.js';

export type RowBuilder = (items: unknown[], ctx: IngestContext) => TableRows[];

export function spanRows(spans: Span[], ctx: IngestContext): TableRows[] {
  return [encodeSpans(ctx.project, spans)];
}

export function logRows(records: LogRecord[], ctx: IngestContext): TableRows[] {
  return [encodeLogs(ctx.project, records)];
}

export function metricRows(points: MetricPoint[], ctx: IngestContext): TableRows[] {
  return [encodeMetricPoints(ctx.project, points)];
}

/** Called once a request's rows are committed (the settle loop marks their groups for normalization). */
export type AfterCommit = (signal: string, items: unknown[], ctx: IngestContext) => void;

export function createSink(writer: BatchWriter, builders: Record<string, RowBuilder>, afterCommit?: AfterCommit): Sink {
  return async <T>(signal: Signal<T>, items: T[], ctx: IngestContext) => {
    const build = builders[signal.name];
    if (!build) throw new Error(`no pipeline for signal ${signal.name}`);
    await writer.write(build(items as unknown[], ctx));
    afterCommit?.(signal.name, items as unknown[], ctx);
  };
}
