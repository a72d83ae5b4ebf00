// Content-addressed message history. An agent resends its whole conversation with every LLM call, so storing the
// message attributes as sent grows with the square of the number of turns. Instead, each message of a history
// (an element of a JSON array attribute such as gen_ai.input.messages) is stored once per project in the
// `messages` table, keyed by the SHA-256 of its text, and the span keeps a skeleton: the attribute text with
// each such element replaced by NUL + its 32-hex-digit key, typed MESSAGE_REF in attribute_types. Readers expand
// skeletons back to the exact text that was sent (restoreMessages in src/store/read/spans.ts), so the round trip
// stays lossless.
//
// Only histories are split: a JSON array of two or more elements, at least MIN_VALUE_CHARS long, under one of
// the keys agent instrumentations put conversations in (ConversationKeys.history, declared by the dialects). A NUL never appears unescaped in valid JSON text, so a
// skeleton is unambiguous; a value that already holds a NUL is left as it is.
import { hash } from 'node:crypto';
import type { Attributes } from '../../model/otlp.js';
import { StringColumn, block, fixedColumn, nativeSchema } from '../native.js';
import type { TableRows } from '../writer.js';
import { projectValue } from './envelope.js';
import { type ConversationKeys, sessionIdOf } from './session.js';

/** attribute_types value of an attribute stored as a skeleton. */
export const MESSAGE_REF = 'msgref';

const MIN_VALUE_CHARS = 512;
/** Elements shorter than this stay inline (a key costs 33 characters). */
const MIN_ELEMENT_CHARS = 128;

export const MESSAGES = nativeSchema(
  'messages',
  [
    { name: 'project_id', type: 'String' },
    { name: 'hash', type: 'String' },
    { name: 'session_id', type: 'String' },
    { name: 'content', type: 'String' },
    { name: 'last_seen', type: "DateTime64(3, 'UTC')" },
  ],
  // Before the spans that reference them: a span is never stored without its messages.
  0,
);

/** 128 bits of SHA-256 of a message's text, as 32 hex digits. */
export function messageKey(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 32);
}

/**
 * [start, end) of each top-level element of a JSON array text (whitespace around elements excluded), or
 * undefined when the text is not a single well-formed-looking array.
 */
export function arrayElements(s: string): [number, number][] | undefined {
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) !== 0x5b /* [ */) return undefined;
  i++;
  const out: [number, number][] = [];
  let depth = 0;
  let start = -1;
  let last = -1; // last non-space character of the current element
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string with the native search (most of a message is inside strings): a quote ends it
      // unless an odd number of backslashes precedes it.
      if (start < 0) start = i;
      for (;;) {
        i = s.indexOf('"', i + 1);
        if (i < 0) return undefined;
        let b = i - 1;
        while (s.charCodeAt(b) === 0x5c) b--;
        if ((i - 1 - b) % 2 === 0) break;
      }
      last = i;
      continue;
    }
    if (depth === 0 && (c === 0x2c /* , */ || c === 0x5d /* ] */)) {
      if (start >= 0) out.push([start, last + 1]);
      else if (c === 0x2c || out.length) return undefined; // an empty element
      start = -1;
      if (c === 0x5d) {
        for (i++; i < n; i++) if (!isSpace(s.charCodeAt(i))) return undefined;
        return out;
      }
      continue;
    }
    if (isSpace(c)) continue;
    if (start < 0) start = i;
    last = i;
    if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      if (--depth < 0) return undefined;
    }
  }
  return undefined;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** A message to store: its key and text. */
export interface StoredMessage {
  key: string;
  text: string;
}

/**
 * The skeleton of a history value and the messages it references, or undefined when the value is not split
 * (not a history, too short, or holding a NUL already).
 */
export function skeleton(value: string): { skeleton: string; messages: StoredMessage[] } | undefined {
  if (value.length < MIN_VALUE_CHARS || value.indexOf('\u0000') >= 0) return undefined;
  const elements = arrayElements(value);
  if (!elements || elements.length < 2) return undefined;
  const messages: StoredMessage[] = [];
  let out = '';
  let at = 0;
  for (const [start, end] of elements) {
    if (end - start < MIN_ELEMENT_CHARS) continue;
    const text = value.slice(start, end);
    const key = messageKey(text);
    messages.push({ key, text });
    out += value.slice(at, start) + '\u0000' + key;
    at = end;
  }
  if (messages.length === 0) return undefined;
  return { skeleton: out + value.slice(at), messages };
}

// eslint-disable-next-line no-control-regex -- a NUL marks a reference in a skeleton (see the top of this file)
const REF = /\u0000([0-9a-f]{32})/g;

/** The keys a skeleton references. */
export function skeletonKeys(s: string): string[] {
  return [...s.matchAll(REF)].map((m) => m[1]);
}

/** The original text of a skeleton; undefined when a referenced message is missing. */
export function expandSkeleton(s: string, contentOf: (key: string) => string | undefined): string | undefined {
  let missing = false;
  const out = s.replace(REF, (_, key: string) => {
    const text = contentOf(key);
    if (text === undefined) missing = true;
    return text ?? '';
  });
  return missing ? undefined : out;
}

/** Expands every MESSAGE_REF attribute of `attrs` in place; returns the keys it could not expand. */
export function expandAttributes(attrs: { values: Record<string, string>; types: Record<string, string> }, contentOf: (key: string) => string | undefined): string[] {
  const missing: string[] = [];
  for (const k in attrs.types) {
    if (attrs.types[k] !== MESSAGE_REF) continue;
    const text = expandSkeleton(attrs.values[k], contentOf);
    if (text === undefined) {
      missing.push(k);
      continue;
    }
    attrs.values[k] = text;
    delete attrs.types[k];
  }
  return missing;
}

/**
 * Messages this process has committed to one store, so a conversation's history is not written again with every
 * call. Forgotten after an hour, so a message still in use is written again now and then (moving its last_seen,
 * the retention TTL's column, on), and all at once after a failed INSERT: a store that lost writes (a server
 * restarted without them) must get them again.
 */
export class CommittedMessages {
  private static readonly REMEMBER_MS = 3_600_000;
  private static readonly MAX = 200_000;
  private readonly at = new Map<string, number>();

  has(project: string, key: string, now: number): boolean {
    const t = this.at.get(project + '\u0000' + key);
    return t !== undefined && now - t < CommittedMessages.REMEMBER_MS;
  }

  add(project: string, keys: readonly string[]): void {
    const t = Date.now();
    for (const key of keys) {
      const id = project + '\u0000' + key;
      this.at.delete(id); // re-inserted at the end: the map stays oldest first
      this.at.set(id, t);
    }
    let drop = this.at.size - CommittedMessages.MAX;
    for (const id of this.at.keys()) {
      if (drop-- <= 0) break;
      this.at.delete(id);
    }
  }

  clear(): void {
    this.at.clear();
  }
}

/** What a request's spans store as skeletons: per span, the attributes to write instead of the sent ones. */
export interface HistorySplit {
  /** Per span index: key -> skeleton (undefined for spans with none). */
  skeletons: (Record<string, string> | undefined)[];
  /** Rows for the messages table (messages not yet committed), or undefined when there are none. */
  rows: TableRows | undefined;
}

/**
 * Splits the histories of `items` (spans, or anything with attributes) into skeletons and messages. Messages in
 * `committed` are not written again; without it, every message of the request is.
 */
export function splitHistories(project: string, items: readonly { attributes: Attributes }[], keys: ConversationKeys, committed?: CommittedMessages): HistorySplit {
  const skeletons: (Record<string, string> | undefined)[] = new Array(items.length);
  let found = false;
  const now = Date.now();
  const fresh: { key: string; text: string; session: string }[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const attrs = items[i].attributes;
    let mine: Record<string, string> | undefined;
    for (const k in attrs.values) {
      if (!keys.history.has(k) || attrs.types[k] !== undefined) continue;
      const split = skeleton(attrs.values[k]);
      if (!split) continue;
      (mine ??= Object.create(null) as Record<string, string>)[k] = split.skeleton;
      for (const m of split.messages) {
        if (seen.has(m.key) || committed?.has(project, m.key, now)) continue;
        seen.add(m.key);
        fresh.push({ key: m.key, text: m.text, session: sessionIdOf(attrs, keys.session) });
      }
    }
    skeletons[i] = mine;
    if (mine) found = true;
  }
  if (!found) return { skeletons, rows: undefined };
  return { skeletons, rows: fresh.length ? encodeMessages(project, fresh, now, committed) : undefined };
}

function encodeMessages(project: string, messages: { key: string; text: string; session: string }[], now: number, committed: CommittedMessages | undefined): TableRows {
  const n = messages.length;
  const projectId = new StringColumn(n * 8);
  const key = new StringColumn(n * 33);
  const session = new StringColumn(n * 37);
  const content = new StringColumn(n * 1024);
  const lastSeen = new Uint32Array(n * 2);
  const project_ = projectValue(project);
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    projectId.sink.bytes(project_);
    key.sink.str(m.key);
    session.sink.str(m.session);
    content.sink.str(m.text);
    lastSeen[2 * i] = now % 4294967296;
    lastSeen[2 * i + 1] = Math.floor(now / 4294967296);
  }
  // Only the keys outlive the encoding (the texts are in the block).
  const keys = committed ? messages.map((m) => m.key) : [];
  return {
    schema: MESSAGES,
    block: block(n, [projectId.done(), key.done(), session.done(), content.done(), fixedColumn(lastSeen)]),
    onCommit: committed ? () => committed.add(project, keys) : undefined,
  };
}
