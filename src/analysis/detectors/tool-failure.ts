// What tool_error and tool_timeout share: deciding that a tool call failed, and whether it timed out.
// One function so the two modes stay mutually exclusive (a timeout is never also a tool_error).
import type { Operation } from '../../model/operation.js';
import { hasError, isTimeout } from './signals.js';
import { joinNonEmpty } from './text.js';

export interface ToolFailure {
  timeout: boolean;
  evidence: string;
}

const RESULT_HEAD = 512;
const TIMEOUT_WORDS = ['timed out', 'timeout', 'deadline exceeded'];

/**
 * Error payloads that tools return as their result instead of raising: a Python traceback, an
 * "Error:" line (tau-bench, many function tools), Claude Code's <tool_use_error>, MCP's isError flag.
 * Only the head of the result is looked at, and only its start counts, so output that merely
 * mentions an error somewhere does not.
 */
function resultError(result: string): string | null {
  if (result === '') return null;
  const head = result.slice(0, RESULT_HEAD).trimStart();
  const lower = head.toLowerCase();
  if (lower.startsWith('traceback (most recent call last)') || lower.startsWith('error:') || lower.startsWith('<tool_use_error>')) return head;
  if (head.startsWith('{') && head.replace(/\s+/g, '').includes('"isError":true')) return head;
  return null;
}

export function toolFailure(op: Operation): ToolFailure | null {
  if (hasError(op)) {
    const evidence = joinNonEmpty(op.errorType, op.errorMessage) || (op.toolResult !== '' ? op.toolResult : 'status=ERROR');
    return { timeout: isTimeout(op), evidence };
  }
  const fromResult = resultError(op.toolResult);
  if (fromResult === null) return null;
  const lower = fromResult.toLowerCase();
  return { timeout: TIMEOUT_WORDS.some((w) => lower.includes(w)), evidence: fromResult };
}

/** Prefixes evidence with the tool name, which is what a reader scanning a list needs first. */
export function toolEvidence(op: Operation, text: string): string {
  return op.toolName !== '' ? `${op.toolName}: ${text}` : text;
}
