// The contract every dialect module implements. `matches` must be cheap (a few attribute lookups, no key
// scans, no JSON parsing): it runs for every span of every batch. `normalize` runs only for spans/records
// that matched and may return several operations (e.g. an LLM call and the compaction it performed), or
// none (a span that only completes another one, see base.ts markPartial).
import type { LogRecord, Span } from '../../model/otlp.js';
import type { Operation } from '../../model/operation.js';

export interface SpanDialect {
  name: string;
  matches(span: Span): boolean;
  normalize(span: Span): Operation[];
}

export interface LogDialect {
  name: string;
  /** `eventName`: the resolved event name (base.ts logEventName); callers pass it so it is computed once. */
  matches(log: LogRecord, eventName?: string): boolean;
  normalize(log: LogRecord, eventName?: string): Operation[];
}
