// Shared vocabulary: how finish reasons and error texts of different providers and frameworks map onto
// our modes. Plain substring tests over a bounded, lower-cased string: no regex, no backtracking.
import type { Operation } from '../../model/operation.js';
import { joinNonEmpty } from './text.js';

const ERROR_SCAN = 2048;

/** errorType and errorMessage, lower-cased, at most ERROR_SCAN characters. '' when neither is set. */
export function errorText(op: Operation): string {
  const s = joinNonEmpty(op.errorType, op.errorMessage);
  return (s.length > ERROR_SCAN ? s.slice(0, ERROR_SCAN) : s).toLowerCase();
}

/** The operation failed: explicit error status, or an error type/message recorded anyway. */
export function hasError(op: Operation): boolean {
  return op.status === 'error' || op.errorType !== '';
}

function includesAny(haystack: string, needles: readonly string[]): boolean {
  for (const n of needles) if (haystack.includes(n)) return true;
  return false;
}

/**
 * Finish reasons, lower-cased and split: OTel allows a list, some normalizers join it with commas.
 * Gemini's upper-case values (MAX_TOKENS, SAFETY) become lower-case here.
 */
export function finishReasons(op: Operation): string[] {
  const fr = op.finishReason.trim();
  if (fr === '') return [];
  const lower = fr.toLowerCase();
  return lower.includes(',') ? lower.split(',').map((s) => s.trim()).filter((s) => s !== '') : [lower];
}

export function hasFinishReason(op: Operation, set: ReadonlySet<string>): string | null {
  for (const r of finishReasons(op)) if (set.has(r)) return r;
  return null;
}

/** Output stopped at the output-token cap (OpenAI/OTel 'length', Anthropic 'max_tokens', Gemini MAX_TOKENS). */
export const TRUNCATION_REASONS: ReadonlySet<string> = new Set(['length', 'max_tokens', 'max_output_tokens', 'max_tokens_reached']);

/** The model asked for tools (so this turn is not a final answer). */
export const TOOL_CALL_REASONS: ReadonlySet<string> = new Set(['tool_calls', 'tool_call', 'tool_use', 'function_call', 'tool-calls']);

/** Provider-side refusal or content filtering (OTel content_filter, Anthropic refusal, Gemini safety family). */
export const REFUSAL_REASONS: ReadonlySet<string> = new Set([
  'content_filter',
  'content-filter',
  'refusal',
  'safety',
  'recitation',
  'blocklist',
  'prohibited_content',
  'spii',
  'image_safety',
]);

const FILTER_TEXT = ['content_filter', 'content management policy', 'content_policy_violation'];

/** Refused or filtered: by finish reason, or by an error the provider raised for it (Azure's 400 content_filter). */
export function refusalSignal(op: Operation): string | null {
  const r = hasFinishReason(op, REFUSAL_REASONS);
  if (r !== null) return `finish_reason=${r}`;
  const t = errorText(op);
  return t !== '' && includesAny(t, FILTER_TEXT) ? joinNonEmpty(op.errorType, op.errorMessage) : null;
}

/** The request did not fit the model's window (Anthropic stop reason; OpenAI error code used as a reason). */
export const OVERFLOW_REASONS: ReadonlySet<string> = new Set(['model_context_window_exceeded', 'context_length_exceeded', 'context_overflow']);

const OVERFLOW_TEXT = [
  'context_length_exceeded', // OpenAI error code
  'maximum context length', // OpenAI: "This model's maximum context length is ..."
  'context window', // "exceeds the context window", Anthropic/Strands wording
  'context_window', // model_context_window_exceeded, context_window_exceeded
  'prompt is too long', // Anthropic 400
  'input is too long',
  'contextwindowexceeded', // Strands ContextWindowOverflowException, litellm ContextWindowExceededError
  'contextwindowoverflow',
  'context length exceeded',
  'too many input tokens',
];

export function isContextOverflow(op: Operation): boolean {
  if (hasFinishReason(op, OVERFLOW_REASONS)) return true;
  const t = errorText(op);
  return t !== '' && includesAny(t, OVERFLOW_TEXT);
}

const TIMEOUT_TEXT = ['timeout', 'timed out', 'time out', 'deadline exceeded', 'deadline_exceeded', 'etimedout', 'esockettimedout'];
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['408', '504']);

export function isTimeout(op: Operation): boolean {
  const t = errorText(op);
  if (t === '') return false;
  return TIMEOUT_CODES.has(op.errorType.trim()) || includesAny(t, TIMEOUT_TEXT);
}

/** Harness turn/step caps: OpenAI Agents MaxTurnsExceeded, LangGraph GraphRecursionError, koog, smolagents, Claude Code. */
const MAX_TURNS_TEXT = [
  'maxturnsexceeded',
  'max turns',
  'max_turns',
  'maximum turns',
  'maximum number of turns',
  'turn limit',
  'graphrecursionerror',
  'graph_recursion_limit',
  'recursion limit',
  'maxnumberofiterations',
  'max iterations',
  'max_iterations',
  'maximum number of iterations',
  'iteration limit',
  'max steps',
  'max_steps',
  'maximum number of steps',
  'step limit',
];
const MAX_TURNS_REASONS: ReadonlySet<string> = new Set(['max_turns', 'error_max_turns', 'max_turns_exceeded', 'max_steps', 'max_iterations', 'recursion_limit']);

export function maxTurnsSignal(op: Operation): string | null {
  const r = hasFinishReason(op, MAX_TURNS_REASONS);
  if (r) return `finish_reason=${r}`;
  const t = errorText(op);
  if (t !== '' && includesAny(t, MAX_TURNS_TEXT)) return joinNonEmpty(op.errorType, op.errorMessage);
  return null;
}

export type LlmErrorClass = 'rate_limit' | 'overloaded' | 'auth' | 'timeout' | 'server' | 'bad_request' | 'api_error';

/** Sorts an LLM call's error into the classes a user acts on differently (back off, fix keys, retry). */
export function classifyLlmError(op: Operation): LlmErrorClass {
  const t = errorText(op);
  const code = op.errorType.trim();
  if (code === '429' || includesAny(t, ['rate_limit', 'rate limit', 'ratelimit', 'too many requests', 'resource_exhausted', 'quota'])) return 'rate_limit';
  if (code === '529' || code === '503' || includesAny(t, ['overloaded', 'unavailable', 'capacity'])) return 'overloaded';
  if (code === '401' || code === '403' || includesAny(t, ['authentication', 'unauthorized', 'permission_denied', 'permission denied', 'invalid api key', 'invalid_api_key', 'forbidden'])) return 'auth';
  if (isTimeout(op)) return 'timeout';
  if (/^5\d\d$/.test(code) || includesAny(t, ['internal server error', 'internal_server_error', 'server_error', 'bad gateway'])) return 'server';
  if (code === '400' || code === '404' || code === '422' || includesAny(t, ['invalid_request', 'bad request', 'not_found'])) return 'bad_request';
  return 'api_error';
}
