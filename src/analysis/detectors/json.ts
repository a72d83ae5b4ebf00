// JSON helpers for tool arguments: a size-capped parse and a canonical form for fingerprints.

/** Arguments larger than this are not parsed at ingest (a file write can carry megabytes). */
export const MAX_ARGUMENTS_PARSE = 256 * 1024;

export type ParsedArguments =
  | { ok: true; value: unknown }
  | { ok: false; error: string }
  /** Too large to parse cheaply: detectors must treat it as "unknown", not as invalid. */
  | { ok: null };

/**
 * Parses tool-call arguments. Empty text counts as `{}`: several providers send "" for a call
 * without arguments, and that is not a malformed call.
 */
export function parseArguments(text: string): ParsedArguments {
  if (text.length > MAX_ARGUMENTS_PARSE) return { ok: null };
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Nesting deeper than this is not canonicalized (JSON.stringify itself would overflow the stack on hostile input). */
const MAX_CANONICAL_DEPTH = 64;

/** JSON text with object keys sorted at every level and no whitespace: equal values, equal text. Null when nested too deep. */
export function canonicalJson(value: unknown, depth = 0): string | null {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (depth >= MAX_CANONICAL_DEPTH) return null;
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const v of value) {
      const c = canonicalJson(v, depth + 1);
      if (c === null) return null;
      parts.push(c);
    }
    return '[' + parts.join(',') + ']';
  }
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj).sort()) {
    const c = canonicalJson(obj[k], depth + 1);
    if (c === null) return null;
    parts.push(JSON.stringify(k) + ':' + c);
  }
  return '{' + parts.join(',') + '}';
}

/** Canonical arguments when they are JSON, else the trimmed raw text (still a stable identity). */
export function canonicalArguments(text: string): string {
  const parsed = parseArguments(text);
  return (parsed.ok === true ? canonicalJson(parsed.value) : null) ?? text.trim();
}
