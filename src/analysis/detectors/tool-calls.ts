// Tool calls requested by an LLM call, and the tools it declared.
import type { ChatPart, Operation, ToolDefinition } from '../../model/operation.js';

export type ToolCallPart = Extract<ChatPart, { type: 'tool_call' }>;

/** Structured tool calls in the assistant output of one LLM call. */
export function requestedToolCalls(op: Operation): ToolCallPart[] {
  let calls: ToolCallPart[] | null = null;
  for (const m of op.outputMessages) {
    if (m.role !== 'assistant') continue;
    for (const p of m.parts) if (p.type === 'tool_call') (calls ??= []).push(p);
  }
  return calls ?? [];
}

/** The parameters schema of a declared tool; dialects that keep it as JSON text get it parsed. */
export function parametersSchema(def: ToolDefinition): unknown {
  const p = def.parameters;
  if (typeof p !== 'string') return p;
  try {
    return JSON.parse(p) as unknown;
  } catch {
    return undefined; // an unreadable schema validates nothing rather than failing every call
  }
}

/** "first (+N more)" wording shared by detectors that report one instance per operation. */
export function andMore(n: number): string {
  return n > 0 ? ` (+${n} more)` : '';
}
