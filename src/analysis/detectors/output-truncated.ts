import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { TRUNCATION_REASONS, hasFinishReason } from './signals.js';
import { assistantText, excerpt } from './text.js';

export const outputTruncated: SpanDetector = {
  id: 'output-truncated',
  mode: 'output_truncated',
  scope: 'span',
  severity: 'medium',
  kinds: ['llm'],
  description: 'Generation stopped at the output-token cap, so the answer or tool-call JSON is cut off.',
  signal: 'LLM operation whose finish reason is length / max_tokens / MAX_TOKENS / max_output_tokens.',
  detect(op, out) {
    const reason = hasFinishReason(op, TRUNCATION_REASONS);
    if (reason === null) return;
    const tokens = op.outputTokens !== null ? `, output_tokens=${op.outputTokens}` : '';
    const text = assistantText(op.outputMessages);
    // The cut is at the end, so the tail of the text is the useful evidence.
    const tail = text === '' ? '' : ': …' + excerpt(text.slice(-240), 240);
    out.push(makeFailure(op, 'output_truncated', 'medium', `finish_reason=${reason}${tokens}${tail}`, 'span'));
  },
};
