// Builders for hand-made operations in detector tests (not a test file: tap only runs *.test.ts).
import type { Test } from 'tap';
import { type ChatMessage, type ChatPart, type Operation, emptyOperation } from '../../src/model/operation.js';

let next = 1;

/** An operation with a fresh span id in trace 't1', filled in with `init`. */
export function op(init: Partial<Operation> & Pick<Operation, 'kind'>): Operation {
  const n = next++;
  return emptyOperation({ dialect: 'test', traceId: 't1', spanId: `s${n}`, startTimeUnixNano: String(n * 1000), endTimeUnixNano: String(n * 1000 + 500), ...init });
}

/**
 * Operations of one run in time order: the i-th starts at (i+1)*1000 ns and lasts 500 ns, whatever
 * ids earlier tests consumed, so runs read as sequences.
 */
export function seq(...ops: Operation[]): Operation[] {
  return ops.map((o, i) => ({ ...o, startTimeUnixNano: String((i + 1) * 1000), endTimeUnixNano: String((i + 1) * 1000 + 500) }));
}

export function assistant(...parts: ChatPart[]): ChatMessage[] {
  return [{ role: 'assistant', parts }];
}

export const text = (t: string): ChatPart => ({ type: 'text', text: t });
export const reasoning = (t: string): ChatPart => ({ type: 'reasoning', text: t });
export const call = (name: string, args: string, id = ''): ChatPart => ({ type: 'tool_call', id, name, arguments: args });

/** An LLM call that answered with text. */
export function answer(t: string, init: Partial<Operation> = {}): Operation {
  return op({ kind: 'llm', finishReason: 'stop', outputMessages: assistant(text(t)), ...init });
}

/** A tool operation with JSON arguments. */
export function tool(name: string, args: string, init: Partial<Operation> = {}): Operation {
  return op({ kind: 'tool', toolName: name, toolArguments: args, status: 'ok', ...init });
}

/** t.match on arrays ignores extra items; this also checks the count, so "exactly these findings" holds. */
export function matchAll(t: Test, actual: readonly unknown[], patterns: readonly object[], msg = ''): void {
  t.equal(actual.length, patterns.length, `${msg} (count)`.trim());
  t.match(actual, patterns, msg);
}
