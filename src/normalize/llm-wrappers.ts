// One request, one LLM call. A framework's model span (LangChain's chat span, Mastra's generation) often
// wraps the span of the client library that made the HTTP request (the openai instrumentation), and both
// read as LLM calls. The inner one is the request (it has the response id and the tool-call ids), so the
// wrapper becomes a plain container ('other') after lending the request whatever it lacks.
// "Wraps" means: the same trace, the inner call has a response id and the wrapper none of its own (two
// calls with their own ids are two requests, and without an id the inner one is not known to be the
// request: Gemini CLI nests calls of its own), the inner call starts and ends within the wrapper, the models
// agree when both are named, and the inner one hangs under the wrapper, or beside it under the same parent (OpenLLMetry's
// LangChain instrumentation starts its spans outside the active context, so they are siblings).
import { combine } from './combine.js';
import type { Operation } from '../model/operation.js';
import { cmpNanos, nonZero } from './values.js';

const MAX_WALK = 64;
/** Siblings starting at or before a call that are looked at as its wrapper (the nearest ones by start). */
const MAX_SIBLINGS = 16;
/**
 * Slack when comparing times: frameworks stamp their spans from Date.now() (whole milliseconds) while the
 * client's span has sub-millisecond times, so a wrapper can seem to end a fraction of a millisecond before
 * the request it wraps.
 */
const SLACK_NS = 1_000_000n;

function within(inner: Operation, outer: Operation): boolean {
  if (!nonZero(inner.startTimeUnixNano) || !nonZero(outer.startTimeUnixNano) || !nonZero(inner.endTimeUnixNano) || !nonZero(outer.endTimeUnixNano)) return false;
  return BigInt(outer.startTimeUnixNano) <= BigInt(inner.startTimeUnixNano) + SLACK_NS && BigInt(inner.endTimeUnixNano) <= BigInt(outer.endTimeUnixNano) + SLACK_NS;
}

function sameModel(a: Operation, b: Operation): boolean {
  const x = a.responseModel || a.requestModel;
  const y = b.responseModel || b.requestModel;
  return !x || !y || x === y || a.requestModel === b.requestModel;
}

/**
 * Linear in the operations: each call looks only at its ancestors (at most MAX_WALK) and at the nearest
 * MAX_SIBLINGS siblings that start before it, not at every other call of the group.
 */
export function demoteLlmWrappers(ops: Operation[], parents?: Map<string, string>): void {
  const llm = ops.filter((o) => o.kind === 'llm');
  if (llm.length < 2) return;
  const key = (traceId: string, spanId: string) => traceId + '/' + spanId;
  const bySpan = new Map(llm.map((o) => [key(o.traceId, o.spanId), o]));
  const parentOf = new Map<string, string>();
  for (const o of ops) if (!parentOf.has(key(o.traceId, o.spanId))) parentOf.set(key(o.traceId, o.spanId), o.parentSpanId);
  const parentSpan = (traceId: string, spanId: string) => parents?.get(key(traceId, spanId)) ?? parentOf.get(key(traceId, spanId)) ?? '';
  const under = (inner: Operation, outer: Operation): boolean => {
    let p = inner.parentSpanId;
    for (let i = 0; p && i < MAX_WALK; i++) {
      if (p === outer.spanId) return true;
      p = parentSpan(inner.traceId, p);
    }
    return false;
  };
  // LLM calls by (trace, parent), sorted by start: the siblings a call may sit beside.
  const siblings = new Map<string, Operation[]>();
  for (const o of llm) {
    const k = key(o.traceId, o.parentSpanId);
    let list = siblings.get(k);
    if (!list) siblings.set(k, (list = []));
    list.push(o);
  }
  for (const list of siblings.values()) list.sort((a, b) => cmpNanos(a.startTimeUnixNano, b.startTimeUnixNano));
  const candidates = (inner: Operation): Operation[] => {
    const out: Operation[] = [];
    let p = inner.parentSpanId;
    for (let i = 0; p && i < MAX_WALK; i++) {
      const o = bySpan.get(key(inner.traceId, p));
      if (o) out.push(o);
      p = parentSpan(inner.traceId, p);
    }
    const list = siblings.get(key(inner.traceId, inner.parentSpanId)) ?? [];
    // The last sibling starting no later than the call (with the slack), then the ones before it.
    let hi = list.length;
    let lo = 0;
    const limit = BigInt(inner.startTimeUnixNano || '0') + SLACK_NS;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (BigInt(list[mid].startTimeUnixNano || '0') <= limit) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1, n = 0; i >= 0 && n < MAX_SIBLINGS; i--, n++) out.push(list[i]);
    return out;
  };
  const wrappers = new Map<Operation, Operation>();
  for (const inner of llm) {
    if (!inner.requestId) continue;
    for (const outer of candidates(inner)) {
      if (outer.requestId && outer.requestId !== inner.requestId) continue;
      if (outer === inner || outer.traceId !== inner.traceId || !within(inner, outer) || !sameModel(inner, outer)) continue;
      // Equal ranges: the one below is the inner one; siblings with equal ranges are two calls.
      if (!(under(inner, outer) || (outer.parentSpanId === inner.parentSpanId && !(cmpNanos(outer.startTimeUnixNano, inner.startTimeUnixNano) === 0 && cmpNanos(outer.endTimeUnixNano, inner.endTimeUnixNano) === 0)))) continue;
      if (under(outer, inner)) continue;
      if (!wrappers.has(outer)) wrappers.set(outer, inner);
    }
  }
  for (const [outer, inner] of wrappers) {
    if (bySpan.get(key(outer.traceId, outer.spanId)) !== outer) continue;
    // The request keeps its own identity, times and values; the wrapper only fills gaps (agent, session).
    const times = [inner.startTimeUnixNano, inner.endTimeUnixNano, inner.source] as const;
    combine(inner, { ...outer, kind: 'llm', inputMessages: [], outputMessages: [], tools: [] }, false);
    [inner.startTimeUnixNano, inner.endTimeUnixNano, inner.source] = times;
    outer.kind = 'other';
  }
}
