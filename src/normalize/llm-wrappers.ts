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

function within(inner: Operation, outer: Operation): boolean {
  if (!nonZero(inner.startTimeUnixNano) || !nonZero(outer.startTimeUnixNano) || !nonZero(inner.endTimeUnixNano) || !nonZero(outer.endTimeUnixNano)) return false;
  return cmpNanos(outer.startTimeUnixNano, inner.startTimeUnixNano) <= 0 && cmpNanos(inner.endTimeUnixNano, outer.endTimeUnixNano) <= 0;
}

function sameModel(a: Operation, b: Operation): boolean {
  const x = a.responseModel || a.requestModel;
  const y = b.responseModel || b.requestModel;
  return !x || !y || x === y || a.requestModel === b.requestModel;
}

export function demoteLlmWrappers(ops: Operation[], parents?: Map<string, string>): void {
  const llm = ops.filter((o) => o.kind === 'llm');
  if (llm.length < 2) return;
  const bySpan = new Map(llm.map((o) => [o.traceId + '/' + o.spanId, o]));
  const under = (inner: Operation, outer: Operation): boolean => {
    let p = inner.parentSpanId;
    for (let i = 0; p && i < MAX_WALK; i++) {
      if (p === outer.spanId) return true;
      const k = inner.traceId + '/' + p;
      p = parents?.get(k) ?? ops.find((o) => o.traceId === inner.traceId && o.spanId === p)?.parentSpanId ?? '';
    }
    return false;
  };
  const wrappers = new Map<Operation, Operation>();
  for (const inner of llm) {
    if (!inner.requestId) continue;
    for (const outer of llm) {
      if (outer.requestId && outer.requestId !== inner.requestId) continue;
      if (outer === inner || outer.traceId !== inner.traceId || !within(inner, outer) || !sameModel(inner, outer)) continue;
      // Equal ranges: the one below is the inner one; siblings with equal ranges are two calls.
      if (!(under(inner, outer) || (outer.parentSpanId === inner.parentSpanId && !(cmpNanos(outer.startTimeUnixNano, inner.startTimeUnixNano) === 0 && cmpNanos(outer.endTimeUnixNano, inner.endTimeUnixNano) === 0)))) continue;
      if (under(outer, inner)) continue;
      if (!wrappers.has(outer)) wrappers.set(outer, inner);
    }
  }
  for (const [outer, inner] of wrappers) {
    if (bySpan.get(outer.traceId + '/' + outer.spanId) !== outer) continue;
    // The request keeps its own identity, times and values; the wrapper only fills gaps (agent, session).
    const times = [inner.startTimeUnixNano, inner.endTimeUnixNano, inner.source] as const;
    combine(inner, { ...outer, kind: 'llm', inputMessages: [], outputMessages: [], tools: [] }, false);
    [inner.startTimeUnixNano, inner.endTimeUnixNano, inner.source] = times;
    outer.kind = 'other';
  }
}
