// A tool operation that does not know which tool ran (LangChain's tool wrapper reports its class name,
// and a call that threw has no output naming it) or which call it answered: the model's request says.
// The candidates are the tool calls requested by the model calls of the same trace that started before the
// tool did, latest first (some frameworks run the tools inside the model step that asked for them, so the
// step has not ended yet); the one with the same arguments (compared as JSON), not yet claimed, wins.
import type { ChatPart, Operation } from '../model/operation.js';
import { cmpNanos } from './values.js';

type Call = Extract<ChatPart, { type: 'tool_call' }>;

/** JSON text with sorted keys and no whitespace (other text trimmed): arguments compared as JSON. */
export function canonical(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text.trim();
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export function toolsFromRequests(ops: Operation[]): void {
  const unknown = ops.filter((o) => o.kind === 'tool' && (!o.toolName || !o.toolCallId) && o.toolArguments);
  if (unknown.length === 0) return;
  const calls = ops
    .filter((o) => o.kind === 'llm' && o.outputMessages.length)
    .sort((a, b) => cmpNanos(b.startTimeUnixNano, a.startTimeUnixNano))
    .map((o) => ({ op: o, calls: o.outputMessages.flatMap((m) => m.parts.filter((p): p is Call => p.type === 'tool_call')) }));
  const claimed = new Set<string>();
  for (const o of ops) if (o.kind === 'tool' && o.toolCallId) claimed.add(o.toolCallId);
  for (const tool of unknown.sort((a, b) => cmpNanos(a.startTimeUnixNano, b.startTimeUnixNano))) {
    const args = canonical(tool.toolArguments);
    for (const { op, calls: requested } of calls) {
      if (op.traceId !== tool.traceId || cmpNanos(op.startTimeUnixNano, tool.startTimeUnixNano) > 0) continue;
      const hit = requested.find((c) => (!c.id || !claimed.has(c.id)) && (!tool.toolName || c.name === tool.toolName) && canonical(c.arguments) === args);
      if (!hit) continue;
      if (!tool.toolName) tool.toolName = hit.name;
      if (!tool.toolCallId && hit.id) tool.toolCallId = hit.id;
      if (hit.id) claimed.add(hit.id);
      break;
    }
  }
}
