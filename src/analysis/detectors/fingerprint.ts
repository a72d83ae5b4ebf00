// Tool-call fingerprints: tool name plus canonical JSON arguments (sorted keys, no whitespace), so
// {"a":1,"b":2} and { "b": 2, "a": 1 } are the same call.
import type { Operation } from '../../model/operation.js';
import { canonicalArguments } from './json.js';
import { requestedToolCalls } from './tool-calls.js';

export interface ToolCallRef {
  /** The operation the call is attached to: the tool operation, or the LLM call that requested it. */
  op: Operation;
  name: string;
  arguments: string;
  fingerprint: string;
}

/**
 * The tool calls of some operations in time order. Tool operations are the record of what ran; only
 * when none has captured arguments do we fall back to the calls LLM outputs requested (deduplicated
 * by call id), so a call is never counted once as requested and again as executed. Calls without
 * captured arguments are left out: with no arguments every call of a tool would look the same.
 */
export function toolCalls(ops: readonly Operation[]): ToolCallRef[] {
  const executed: ToolCallRef[] = [];
  for (const op of ops) {
    if (op.kind === 'tool' && op.toolName !== '' && op.toolArguments.trim() !== '') executed.push(ref(op, op.toolName, op.toolArguments));
  }
  if (executed.length > 0) return executed;
  const requested: ToolCallRef[] = [];
  const ids = new Set<string>();
  for (const op of ops) {
    if (op.kind !== 'llm') continue;
    for (const call of requestedToolCalls(op)) {
      if (call.name === '' || call.arguments.trim() === '') continue;
      if (call.id !== '') {
        if (ids.has(call.id)) continue;
        ids.add(call.id);
      }
      requested.push(ref(op, call.name, call.arguments));
    }
  }
  return requested;
}

function ref(op: Operation, name: string, args: string): ToolCallRef {
  return { op, name, arguments: args, fingerprint: fingerprintOf(name, args) };
}

export function fingerprintOf(name: string, args: string): string {
  return name + '\u0000' + canonicalArguments(args);
}
