// The conversation an item belongs to, stored with spans and logs: normalization rebuilds a conversation's
// operations together (spans and log events of one session are merged there) and /sessions/:id reads it.
import type { Attributes } from '../../model/otlp.js';

/** Attribute keys naming the conversation, most specific first (docs/normalization.md, "Groups"). */
export const SESSION_KEYS = [
  'session.id', // Claude Code, Gemini CLI, OpenInference, Langfuse
  'gen_ai.conversation.id', // OTel GenAI semantic conventions
  'conversation.id', // Codex
  'ai.telemetry.metadata.sessionId', // Vercel AI SDK metadata
  'langsmith.trace.session_id',
] as const;

export function sessionIdOf(attrs: Attributes): string {
  const v = attrs.values;
  for (const k of SESSION_KEYS) {
    const s = v[k];
    if (s) return s;
  }
  return '';
}
