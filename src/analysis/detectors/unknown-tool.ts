import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { andMore, requestedToolCalls } from './tool-calls.js';

export const unknownTool: SpanDetector = {
  id: 'unknown-tool',
  mode: 'unknown_tool',
  scope: 'span',
  severity: 'high',
  kinds: ['llm'],
  description: 'The model called a tool that was not among the tools declared to it (a hallucinated tool name).',
  signal: 'A tool_call part in an LLM call\'s output whose name is not among that call\'s declared tools. Only checked when the call declares tools.',
  detect(op, out) {
    if (op.tools.length === 0) return;
    const calls = requestedToolCalls(op);
    if (calls.length === 0) return;
    const declared = new Set(op.tools.map((t) => t.name));
    const unknown = calls.filter((c) => !declared.has(c.name));
    if (unknown.length === 0) return;
    const names = op.tools.map((t) => t.name).join(', ');
    const evidence = `called "${unknown[0].name}"${andMore(unknown.length - 1)}; declared: ${names}`;
    out.push(makeFailure(op, 'unknown_tool', 'high', evidence, 'span', unknown[0].name));
  },
};
