// Public entry points of normalization: spans and log records of one request batch in, operations out.
// Pure and synchronous. Per span: user rules, then the first matching dialect (dialects/index.ts order),
// then the generic gen_ai.* pass for the fields the dialect left empty; spans no dialect recognizes become
// kind 'other' / dialect 'unknown' without reading their attributes. Then, over the batch: partial records
// folded into their operations, compaction estimates, and the agent tree (link.ts).
import type { LogRecord, Span } from '../model/otlp.js';
import { logEventName, partialInfo, spanOp } from './base.js';
import { coalesce } from './combine.js';
import { estimateCompactions } from './compaction.js';
import { LOG_DIALECTS, SPAN_DIALECTS } from './dialects/index.js';
import { fillGenAi } from './genai.js';
import { linkAgents } from './link.js';
import { mergeOperations } from './merge.js';
import type { Operation } from '../model/operation.js';
import { type Rules, applyLogRules, applySpanRules } from './rules.js';
import { inheritToolCallFromParent } from './tool-call-parent.js';
import { demoteLlmWrappers } from './llm-wrappers.js';
import { toolsFromRequests } from './tool-from-request.js';
import { toolOutcomesFromRequests } from './tool-outcome-from-request.js';

export const UNKNOWN_DIALECT = 'unknown';

/** Operations of one batch of spans. Spans of one trace should be in the same call to link subagents fully. */
export function normalizeSpans(spans: Span[], rules?: Rules): Operation[] {
  const ops: Operation[] = [];
  const parents = new Map<string, string>();
  for (const span of spans) {
    if (span.parentSpanId) parents.set(span.traceId + '/' + span.spanId, span.parentSpanId);
    const ruled = rules ? applySpanRules(rules, span) : undefined;
    if (ruled) {
      fillGenAi(ruled, span.attributes, span);
      ops.push(ruled);
      continue;
    }
    let produced: Operation[] | undefined;
    for (const d of SPAN_DIALECTS) {
      if (!d.matches(span)) continue;
      produced = d.normalize(span);
      for (const op of produced) if (op.kind !== 'other' && op.spanId === span.spanId && !partialInfo(op)) fillGenAi(op, span.attributes, span);
      break;
    }
    if (produced) for (const op of produced) ops.push(op);
    else ops.push(spanOp(span, 'other', UNKNOWN_DIALECT));
  }
  const out = coalesce(ops);
  inheritToolCallFromParent(out);
  demoteLlmWrappers(out, parents);
  toolOutcomesFromRequests(out);
  toolsFromRequests(out);
  estimateCompactions(out);
  return linkAgents(out, parents);
}

/** Operations of one batch of log records. Records no dialect or rule recognizes yield nothing. */
export function normalizeLogs(logs: LogRecord[], rules?: Rules): Operation[] {
  const ops: Operation[] = [];
  for (const log of logs) {
    const eventName = logEventName(log);
    const ruled = rules ? applyLogRules(rules, log, eventName) : undefined;
    if (ruled) {
      fillGenAi(ruled, log.attributes);
      ops.push(ruled);
      continue;
    }
    for (const d of LOG_DIALECTS) {
      if (!d.matches(log, eventName)) continue;
      for (const op of d.normalize(log, eventName)) ops.push(op);
      break;
    }
  }
  const out = coalesce(ops);
  estimateCompactions(out);
  return linkAgents(out);
}

/** Operations of spans and logs that may describe the same calls: each call once (see merge.ts). */
export function normalizeBatch(spans: Span[], logs: LogRecord[], rules?: Rules): Operation[] {
  return mergeOperations(normalizeSpans(spans, rules), normalizeLogs(logs, rules));
}

export { mergeOperations } from './merge.js';
export { linkAgents } from './link.js';
export { type Rules, RulesError, RulesFileSchema, parseRules } from './rules.js';
export * from '../model/operation.js';
