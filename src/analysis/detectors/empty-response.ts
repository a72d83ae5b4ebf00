import type { Operation } from '../../model/operation.js';
import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { OVERFLOW_REASONS, REFUSAL_REASONS, TOOL_CALL_REASONS, TRUNCATION_REASONS, finishReasons, hasError } from './signals.js';

/** Finish reasons other detectors already explain; an empty output with one of them is not reported twice. */
const EXPLAINED = new Set([...TRUNCATION_REASONS, ...REFUSAL_REASONS, ...OVERFLOW_REASONS, ...TOOL_CALL_REASONS, 'error']);

export const emptyResponse: SpanDetector = {
  id: 'empty-response',
  mode: 'empty_response',
  scope: 'span',
  severity: 'medium',
  kinds: ['llm'],
  description: 'The model returned nothing: no text, no tool call, no reasoning.',
  signal:
    'A successful LLM operation whose captured assistant output has no non-blank text, tool call, reasoning or media; or, when no output content was captured, output_tokens = 0. Not reported when the finish reason already explains it (length, content filter, tool calls, error).',
  detect(op, out) {
    if (hasError(op) || finishReasons(op).some((r) => EXPLAINED.has(r))) return;
    const why = emptiness(op);
    if (why !== null) out.push(makeFailure(op, 'empty_response', 'medium', `${why}${op.finishReason ? ` (finish_reason=${op.finishReason})` : ''}`, 'span'));
  },
};

function emptiness(op: Operation): string | null {
  let assistant = 0;
  for (const m of op.outputMessages) {
    if (m.role !== 'assistant') continue;
    assistant++;
    for (const p of m.parts) {
      if (p.type === 'tool_call' || p.type === 'media') return null;
      if ((p.type === 'text' || p.type === 'reasoning') && p.text.trim() !== '') return null;
    }
  }
  if (assistant > 0) return 'assistant output has no text, tool call or reasoning';
  // No content captured: only a reported zero output-token count proves emptiness.
  if (op.outputMessages.length === 0 && op.outputTokens === 0) return 'output_tokens=0';
  return null;
}
