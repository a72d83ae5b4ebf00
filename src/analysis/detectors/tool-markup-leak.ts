import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { assistantText, excerpt, excerptAround, scanWindow } from './text.js';

/**
 * Tool-call syntax of the common open-model chat templates. Literal markers, found with indexOf over
 * a bounded window: linear time whatever the text. Each is specific enough not to occur in ordinary
 * prose; generic words ("function", "arguments") are deliberately absent.
 */
export const TOOL_MARKUP_MARKERS: readonly string[] = [
  '<tool_call>', // Hermes / Qwen
  '</tool_call>',
  '<|tool_call', // Phi-4 <|tool_call|>, Kimi <|tool_calls_section_begin|>, <|tool_call_begin|>
  '<function=', // Llama 3.x, Qwen3-Coder XML
  '</function>',
  '<function_calls>', // Anthropic legacy XML
  '<|python_tag|>', // Llama 3.1
  '[TOOL_CALLS]', // Mistral
  '<｜tool▁call', // DeepSeek <｜tool▁calls▁begin｜>, <｜tool▁call▁begin｜>
  '<arg_key>', // GLM-4.5
  '<|channel|>commentary to=', // gpt-oss harmony
];

export const toolMarkupLeak: SpanDetector = {
  id: 'tool-markup-leak',
  mode: 'tool_markup_leak',
  scope: 'span',
  severity: 'high',
  kinds: ['llm'],
  description: 'Tool-call syntax appeared in the assistant\'s visible text instead of as a structured tool call.',
  signal: `Assistant text parts of an LLM call's output contain a chat-template tool-call marker (${TOOL_MARKUP_MARKERS.join(' ')}), or the whole text is a JSON tool call ({"name": ..., "arguments"|"parameters": ...}, or an array of them). Reasoning parts are not scanned.`,
  detect(op, out) {
    const text = assistantText(op.outputMessages);
    if (text === '') return;
    const evidence = markerEvidence(text) ?? bareJsonEvidence(text);
    if (evidence !== null) out.push(makeFailure(op, 'tool_markup_leak', 'high', evidence, 'span'));
  },
};

function markerEvidence(text: string): string | null {
  const window = scanWindow(text);
  let at = -1;
  for (const m of TOOL_MARKUP_MARKERS) {
    const i = window.indexOf(m);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at < 0 ? null : excerptAround(window, at);
}

/** Largest text tried as a whole-message JSON tool call; a bigger one is not a leaked call. */
const BARE_JSON_MAX = 16 * 1024;

/**
 * A message that *is* a JSON tool call. Only whole messages (optionally in a ```json fence) count: a
 * JSON example inside an explanation is not a leak.
 */
function bareJsonEvidence(text: string): string | null {
  let body = text.trim();
  if (body.length > BARE_JSON_MAX) return null;
  if (body.startsWith('```')) {
    const nl = body.indexOf('\n');
    if (nl < 0 || !body.endsWith('```')) return null;
    body = body.slice(nl + 1, body.length - 3).trim();
  }
  const c = body[0];
  if (c !== '{' && c !== '[') return null;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  const first = Array.isArray(value) ? value[0] : value;
  return looksLikeCall(first) ? excerpt(body) : null;
}

function looksLikeCall(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const fn = typeof o.function === 'object' && o.function !== null ? (o.function as Record<string, unknown>) : o; // OpenAI {"function": {...}} shape
  return typeof fn.name === 'string' && ('arguments' in fn || 'parameters' in fn);
}
