// The dialects in detection order (tests/normalize/order.test.ts). Order matters where fingerprints overlap: Claude Code
// and OpenInference spans also carry gen_ai.*, OpenLLMetry legacy spans carry gen_ai.system, Vercel v7,
// Pydantic AI, Strands and ADK are semconv-shaped — so the specific ones come first and plain semconv last.
import { claudeCodeLogs, claudeCodeSpans } from './claude-code.js';
import { codexLogs, codexSpans } from './codex.js';
import { geminiCliLogs, geminiCliSpans } from './gemini-cli.js';
import { googleAdkSpans } from './google-adk.js';
import { langsmithSpans } from './langsmith.js';
import { mastraSpans } from './mastra.js';
import { openInferenceSpans } from './openinference.js';
import { openLlmetrySpans } from './openllmetry.js';
import { otelGenAiLogs, otelGenAiSpans } from './otel-genai.js';
import { pydanticAiSpans } from './pydantic-ai.js';
import { strandsSpans } from './strands.js';
import type { DialectKeys, LogDialect, SpanDialect } from './types.js';
import { vercelAiSpans } from './vercel-ai.js';

export const SPAN_DIALECTS: readonly SpanDialect[] = [
  claudeCodeSpans,
  openInferenceSpans,
  langsmithSpans,
  openLlmetrySpans,
  vercelAiSpans,
  mastraSpans,
  geminiCliSpans,
  codexSpans,
  googleAdkSpans,
  pydanticAiSpans,
  strandsSpans,
  otelGenAiSpans,
];

export const LOG_DIALECTS: readonly LogDialect[] = [claudeCodeLogs, codexLogs, geminiCliLogs, otelGenAiLogs];

const ALL: readonly DialectKeys[] = [...SPAN_DIALECTS, ...LOG_DIALECTS];

function declared(pick: (d: DialectKeys) => readonly string[] | undefined): string[] {
  return [...new Set(ALL.flatMap((d) => pick(d) ?? []))];
}

/** Every dialect's session keys, most specific first (registry order): a raw item's conversation is the first present. */
export const SESSION_KEYS: readonly string[] = declared((d) => d.sessionKeys);

/** Every dialect's history keys. */
export const HISTORY_KEYS: ReadonlySet<string> = new Set(declared((d) => d.historyKeys));

/** Every dialect's spawn tools. */
export const SPAWN_TOOLS: ReadonlySet<string> = new Set(declared((d) => d.spawnTools));

/**
 * What the store needs of the dialects (src/store/rows/session.ts ConversationKeys), passed to its row
 * encoders by the ingest pipeline: the store sits below normalization and imports none of it.
 */
export const CONVERSATION_KEYS = { session: SESSION_KEYS, history: HISTORY_KEYS };

export type { LogDialect, SpanDialect } from './types.js';
