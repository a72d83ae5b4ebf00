// What an export format is: a pure formatter (conversation or preference pair -> one JSON line) and the validator
// that applies the format's rules (docs/corpora.md) before the line is written. One file per format under
// corpora/, one line in index.ts's registry.
import type { ToolDefinition } from '../model/operation.js';
import type { ConvMessage, Conversation } from './conversation.js';

/** What to do with assistant turns a failure detector blamed. */
export type BlamedPolicy = 'drop' | 'weight0' | 'keep';

/** A conversation ready to format: blamed turns already cut (drop), redaction already applied. */
export interface Example {
  conversation: Conversation;
  messages: ConvMessage[];
  tools: ToolDefinition[];
  /** weight0: assistant turns that get weight 0. */
  weightZero: boolean;
}

/** Two runs of one task: the shared context, then the first assistant turn where they differ. */
export interface PreferencePair {
  taskKey: string;
  preferred: Conversation;
  rejected: Conversation;
  input: ConvMessage[];
  chosenTurn: ConvMessage;
  rejectedTurn: ConvMessage;
  tools: ToolDefinition[];
}

/**
 * A format's answer: the record to write (with what the format could not carry, e.g. `reasoning_dropped`, counted in
 * the manifest), or why the example cannot be written in it.
 */
export type Formatted = { ok: true; record: unknown; lossy?: string[] } | { ok: false; reason: string };

interface FormatBase {
  name: string;
  /** Version of tracemill's rendering of the format (bumped when the output changes). */
  version: string;
  description: string;
  /** Checks a record against the format's rules: undefined when valid, else the reason (a short snake_case code). */
  validate(record: unknown): string | undefined;
}

export interface ConversationFormat extends FormatBase {
  kind: 'conversation';
  /** Whether the format can keep a blamed turn as context with weight 0. */
  weights: boolean;
  format(example: Example): Formatted;
}

export interface PreferenceFormat extends FormatBase {
  kind: 'preference';
  format(pair: PreferencePair): Formatted;
}

export interface RecordsFormat extends FormatBase {
  kind: 'records';
}

export type CorpusFormat = ConversationFormat | PreferenceFormat | RecordsFormat;

export const fail = (reason: string): Formatted => ({ ok: false, reason });
