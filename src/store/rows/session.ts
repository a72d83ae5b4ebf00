// The conversation an item belongs to, stored with spans and logs: normalization rebuilds a conversation's
// operations together (spans and log events of one session are merged there) and /sessions/:id reads it.
import type { Attributes } from '../../model/otlp.js';

/**
 * What the row encoders must know of the agent dialects: the attribute keys naming a conversation (most
 * specific first) and those holding a message history (rows/messages.ts). Each dialect declares its own; the
 * dialect registry joins them (CONVERSATION_KEYS in src/normalize/dialects/index.ts) and the ingest pipeline
 * passes them in. Passed, not imported: the store sits below normalization, so it stays free of dialects and
 * of the code they pull in, and no import runs upward.
 */
export interface ConversationKeys {
  readonly session: readonly string[];
  readonly history: ReadonlySet<string>;
}

/** The first session key present in attrs, or ''. */
export function sessionIdOf(attrs: Attributes, keys: readonly string[]): string {
  const v = attrs.values;
  for (const k of keys) {
    const s = v[k];
    if (s) return s;
  }
  return '';
}
