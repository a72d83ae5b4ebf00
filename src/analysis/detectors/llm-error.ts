import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { classifyLlmError, hasError, isContextOverflow, maxTurnsSignal, refusalSignal } from './signals.js';
import { joinNonEmpty } from './text.js';

export const llmError: SpanDetector = {
  id: 'llm-error',
  mode: 'llm_error',
  scope: 'span',
  severity: 'medium',
  kinds: ['llm'],
  description: 'A model call failed at the provider or client: rate limit, overload, authentication, timeout, server or request error.',
  signal:
    'LLM operation with status ERROR, an error type, or finish reason "error". The evidence starts with a class: [rate_limit] (429, RateLimitError, quota), [overloaded] (529/503), [auth] (401/403, high severity), [timeout], [server] (5xx), [bad_request] (400/404/422), [api_error]. Context overflows, content-filter rejections and turn caps are reported as their own modes instead.',
  detect(op, out) {
    const errored = hasError(op) || op.finishReason.toLowerCase() === 'error';
    if (!errored || isContextOverflow(op) || maxTurnsSignal(op) !== null || refusalSignal(op) !== null) return;
    const cls = classifyLlmError(op);
    const evidence = `[${cls}] ${joinNonEmpty(op.errorType, op.errorMessage) || `finish_reason=${op.finishReason || 'error'}`}`;
    out.push(makeFailure(op, 'llm_error', cls === 'auth' ? 'high' : 'medium', evidence, 'span'));
  },
};
