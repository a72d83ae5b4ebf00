import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { toolEvidence, toolFailure } from './tool-failure.js';

export const toolError: SpanDetector = {
  id: 'tool-error',
  mode: 'tool_error',
  scope: 'span',
  severity: 'medium',
  kinds: ['tool'],
  description: 'A tool call failed: it raised, returned an error payload, or its transport failed.',
  signal:
    'Tool operation with status ERROR or an error type; or a result that starts as an error payload (Python traceback, "Error:", <tool_use_error>, MCP "isError": true). Timeouts go to tool_timeout instead.',
  detect(op, out) {
    const f = toolFailure(op);
    if (f && !f.timeout) out.push(makeFailure(op, 'tool_error', 'medium', toolEvidence(op, f.evidence), 'span'));
  },
};
