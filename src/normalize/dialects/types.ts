// The contract every dialect module implements. `matches` must be cheap (a few attribute lookups, no key
// scans, no JSON parsing): it runs for every span of every batch. `normalize` runs only for spans/records
// that matched and may return several operations (e.g. an LLM call and the compaction it performed), or
// none (a span that only completes another one, see base.ts markPartial).
import type { LogRecord, Span } from '../../model/otlp.js';
import type { Operation } from '../../model/operation.js';

/**
 * What a dialect knows of its attributes beyond normalizing them, for the stages that run before any dialect
 * is detected on an item. The registry (index.ts) joins the declarations of all dialects.
 */
export interface DialectKeys {
  /**
   * Attribute keys naming the conversation (session) an item belongs to. The store groups raw spans, logs and
   * metric points by the first of all dialects' keys present, in registry order (specific dialects first).
   */
  readonly sessionKeys?: readonly string[];
  /**
   * Attribute keys holding a message history: a JSON array an agent resends with every call, which the store
   * keeps once per message (src/store/rows/messages.ts).
   */
  readonly historyKeys?: readonly string[];
  /** Tool names whose call starts a subagent: link.ts takes them when no span tree shows the spawning call. */
  readonly spawnTools?: readonly string[];
}

export interface SpanDialect extends DialectKeys {
  name: string;
  matches(span: Span): boolean;
  normalize(span: Span): Operation[];
}

export interface LogDialect extends DialectKeys {
  name: string;
  /** `eventName`: the resolved event name (base.ts logEventName); callers pass it so it is computed once. */
  matches(log: LogRecord, eventName?: string): boolean;
  normalize(log: LogRecord, eventName?: string): Operation[];
}
