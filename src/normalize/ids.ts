// Stable ids for operations that have no span of their own (log events, synthesized subagents, compaction
// records estimated from a request). Derived from correlation keys, not from arrival order, so the same
// event normalized twice (re-normalization, a retried export, the same call seen in two batches) gets the
// same id and storage keyed on (trace id, span id) keeps one row.
import { createHash } from 'node:crypto';

/** 16 hex chars (an OTLP span id's width) from the parts. */
export function derivedSpanId(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/** Id of the record of a subagent that only exists as an agent id on its calls (Claude Code, Gemini CLI events). */
export function subagentSpanId(scope: string, agentId: string): string {
  return derivedSpanId('subagent', scope, agentId);
}

/** Id of a compaction record: one per session, trace and enclosing span (a turn compacts at most once in practice). */
export function compactionSpanId(sessionId: string, traceId: string, parentSpanId: string): string {
  return derivedSpanId('compaction', sessionId, traceId, parentSpanId);
}
