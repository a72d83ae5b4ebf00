import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { toolEvidence, toolFailure } from './tool-failure.js';

export const toolTimeout: SpanDetector = {
  id: 'tool-timeout',
  mode: 'tool_timeout',
  scope: 'span',
  severity: 'medium',
  kinds: ['tool'],
  description: 'A tool call exceeded its deadline.',
  signal:
    'A failed tool operation whose error type or message says timeout (error.type "timeout", TimeoutError, ReadTimeout, "timed out", "deadline exceeded", ETIMEDOUT, HTTP 408/504), or an error result that says so.',
  detect(op, out) {
    const f = toolFailure(op);
    if (f && f.timeout) out.push(makeFailure(op, 'tool_timeout', 'medium', toolEvidence(op, f.evidence), 'span'));
  },
};
