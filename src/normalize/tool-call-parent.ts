// A tool span under a span that names the same call (LangGraph's `tools` node task carries the model's
// call as {name, args, id}; see dialects/openinference.ts): the tool operation takes the call id it lacks,
// and the model's JSON arguments when its own are not JSON (a bare value such as `Paris`). The carrier
// is not a tool call itself, so its tool fields are cleared afterwards: the call is counted once.
import type { Operation } from '../model/operation.js';

function isJson(s: string): boolean {
  const t = s.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

export function inheritToolCallFromParent(ops: Operation[]): void {
  let carriers: Map<string, Operation> | undefined;
  for (const o of ops) {
    if (o.kind === 'other' && o.toolName && o.toolCallId) (carriers ??= new Map()).set(o.traceId + '/' + o.spanId, o);
  }
  if (!carriers) return;
  for (const o of ops) {
    if (o.kind !== 'tool' || !o.parentSpanId) continue;
    const c = carriers.get(o.traceId + '/' + o.parentSpanId);
    if (!c || c.toolName !== o.toolName) continue;
    if (!o.toolCallId) o.toolCallId = c.toolCallId;
    else if (o.toolCallId !== c.toolCallId) continue;
    if (c.toolArguments && !isJson(o.toolArguments) && isJson(c.toolArguments)) o.toolArguments = c.toolArguments;
  }
  for (const c of carriers.values()) {
    c.toolName = '';
    c.toolCallId = '';
    c.toolArguments = '';
  }
}
