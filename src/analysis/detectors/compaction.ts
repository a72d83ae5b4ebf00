import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { hasError } from './signals.js';
import { joinNonEmpty } from './text.js';

export const compaction: SpanDetector = {
  id: 'compaction',
  mode: 'compaction',
  scope: 'span',
  severity: 'low',
  kinds: ['compaction', 'llm', 'agent', 'subagent', 'other'],
  description: 'The harness summarised or truncated the conversation history. An event rather than a failure, recorded because it can cause later ones (see task_lost_after_compaction).',
  signal: 'An operation of kind compaction, or any operation carrying compaction details (trigger, tokens before and after), as normalizers set them from claude_code.compaction, gen_ai.conversation.compacted and the like. Severity medium when the compaction itself failed.',
  detect(op, out) {
    if (op.kind !== 'compaction' && op.compaction === null) return;
    const c = op.compaction;
    const tokens = c && (c.tokensBefore !== null || c.tokensAfter !== null) ? `: ${c.tokensBefore ?? '?'} -> ${c.tokensAfter ?? '?'} tokens` : '';
    const trigger = c && c.trigger !== '' ? `${c.trigger} compaction` : 'compaction';
    // A compaction that itself failed leaves the agent over its window: worth more attention.
    if (hasError(op)) out.push(makeFailure(op, 'compaction', 'medium', `${trigger} failed: ${joinNonEmpty(op.errorType, op.errorMessage)}`, 'span'));
    else out.push(makeFailure(op, 'compaction', 'low', trigger + tokens, 'span'));
  },
};
