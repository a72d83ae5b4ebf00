import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { isContextOverflow } from './signals.js';
import { joinNonEmpty } from './text.js';

export const contextOverflow: SpanDetector = {
  id: 'context-overflow',
  mode: 'context_overflow',
  scope: 'span',
  severity: 'high',
  kinds: ['llm'],
  description: 'The request did not fit the model\'s context window and was rejected or cut short.',
  signal:
    'LLM operation whose finish reason is model_context_window_exceeded / context_length_exceeded, or whose error says so (context_length_exceeded, "maximum context length", "prompt is too long", "context window", ContextWindowExceeded...).',
  detect(op, out) {
    if (!isContextOverflow(op)) return;
    const tokens = op.inputTokens !== null ? ` (input_tokens=${op.inputTokens})` : '';
    const why = joinNonEmpty(op.errorType, op.errorMessage) || `finish_reason=${op.finishReason}`;
    out.push(makeFailure(op, 'context_overflow', 'high', why + tokens, 'span'));
  },
};
