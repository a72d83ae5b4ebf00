// The processing stage between receivers and the store: decoded items -> table rows -> group commit.
// Normalization and span-local failure detection plug in here, so every transport shares them.
import type { IngestContext, Signal, Sink } from './receivers/export.js';
import type { Span } from './receivers/otlp/model.js';
import { encodeSpans } from './store/rows/spans.js';
import type { BatchWriter, TableRows } from './store/writer.js';

export type RowBuilder = (items: unknown[], ctx: IngestContext) => TableRows[];

export function spanRows(spans: Span[], ctx: IngestContext): TableRows[] {
  return [encodeSpans(ctx.project, spans)];
}

export function createSink(writer: BatchWriter, builders: Record<string, RowBuilder>): Sink {
  return async <T>(signal: Signal<T>, items: T[], ctx: IngestContext) => {
    const build = builders[signal.name];
    if (!build) throw new Error(`no pipeline for signal ${signal.name}`);
    await writer.write(build(items as unknown[], ctx));
  };
}
