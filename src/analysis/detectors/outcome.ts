// Did a run end with an answer? Shared by unfinished_run (main agent) and subagent_failure.
import type { Operation } from '../../model/operation.js';
import { answerCalls, lastToEnd } from './run.js';
import { TOOL_CALL_REASONS, TRUNCATION_REASONS, hasError, hasFinishReason, maxTurnsSignal, refusalSignal } from './signals.js';
import { assistantText, excerpt, joinNonEmpty } from './text.js';
import { requestedToolCalls } from './tool-calls.js';

export interface Unanswered {
  /** The operation that shows it: the failed agent operation, or the run's last model call. */
  op: Operation;
  reason: string;
}

/**
 * Why a run ended without a final answer, or null when it answered or we cannot tell. Unknown is
 * treated as answered: a last call with no finish reason and no captured output is not evidence.
 */
export function unanswered(ops: readonly Operation[], agentOps: readonly Operation[]): Unanswered | null {
  for (const a of agentOps) {
    if (hasError(a)) return { op: a, reason: `agent ended with an error: ${joinNonEmpty(a.errorType, a.errorMessage) || 'status=ERROR'}` };
  }
  // An agent operation that reports its own output answered, whatever its last model call looked like.
  if (agentOps.some((a) => assistantText(a.outputMessages).trim() !== '')) return null;

  const last = lastToEnd(answerCalls(ops));
  if (last === null) return null;
  const refused = refusalSignal(last);
  if (refused !== null) return { op: last, reason: `last model call was refused: ${refused}` };
  if (hasError(last) || last.finishReason.toLowerCase() === 'error') {
    return { op: last, reason: `last model call failed: ${joinNonEmpty(last.errorType, last.errorMessage) || 'status=ERROR'}` };
  }
  const calls = requestedToolCalls(last);
  const toolReason = hasFinishReason(last, TOOL_CALL_REASONS);
  if (calls.length > 0 || toolReason !== null) {
    const names = calls.length > 0 ? ` (${[...new Set(calls.map((c) => c.name))].join(', ')})` : '';
    return { op: last, reason: `last model call asked for tools${names} and no later call read their results` };
  }
  const cut = hasFinishReason(last, TRUNCATION_REASONS);
  if (cut !== null) return { op: last, reason: `final answer cut off (finish_reason=${cut}): …${excerpt(assistantText(last.outputMessages).slice(-160), 160)}` };
  if (last.outputMessages.some((m) => m.role === 'assistant') && assistantText(last.outputMessages).trim() === '') {
    return { op: last, reason: 'last model call returned no text' };
  }
  return null;
}

/** The first operation of a run carrying a turn/step-cap signal, with that signal. */
export function maxTurnsHit(ops: readonly Operation[]): { op: Operation; signal: string } | null {
  for (const op of ops) {
    if (op.kind === 'tool') continue; // a tool's own iteration limit is a tool error, not the agent's cap
    const signal = maxTurnsSignal(op);
    if (signal !== null) return { op, signal };
  }
  return null;
}
