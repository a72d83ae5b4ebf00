// Lenient readers for attribute values in every shape emitters use: plain strings, typed ints/doubles/bools,
// numbers sent as strings, JSON text, structured AnyValue trees (kvlist/array) and flattened indexed keys
// (`gen_ai.prompt.0.role`). Every dialect reads through these so each shape is handled in one place.
import { attr } from '../model/values.js';
import type { Attributes } from '../model/otlp.js';

export function has(a: Attributes, key: string): boolean {
  return a.values[key] !== undefined;
}

/** Plain JS value (kvlist -> object, array -> array, int -> number), undefined when absent. */
export function plain(a: Attributes, key: string): unknown {
  return attr(a, key);
}

/** Text of an attribute: strings verbatim, scalars as rendered, structured values as JSON; '' when absent. */
export function str(a: Attributes, key: string): string {
  const v = a.values[key];
  if (v === undefined) return '';
  const t = a.types[key];
  if (t === 'array' || t === 'kvlist') return toText(attr(a, key));
  if (t === 'empty') return '';
  return v;
}

export function firstStr(a: Attributes, keys: readonly string[]): string {
  for (const k of keys) {
    const v = str(a, k);
    if (v !== '') return v;
  }
  return '';
}

/** A number from an int, a double or a numeric string ("47", " 3.5 "); null otherwise. */
export function num(a: Attributes, key: string): number | null {
  const v = a.values[key];
  if (v === undefined) return null;
  const t = a.types[key];
  if (t === 'int' || t === 'double') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  if (t === undefined) return toNumber(v);
  return null;
}

export function firstNum(a: Attributes, keys: readonly string[]): number | null {
  for (const k of keys) {
    const v = num(a, k);
    if (v !== null) return v;
  }
  return null;
}

/** true/false from a bool, "true"/"false" (any case), 1/0; null otherwise. */
export function bool(a: Attributes, key: string): boolean | null {
  const v = a.values[key];
  if (v === undefined) return null;
  return toBool(v);
}

export function toBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  return null;
}

export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return null;
    const n = Number(s);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** String form of any value: strings verbatim, null/undefined as '', everything else as JSON. */
export function toText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Parses JSON text when it looks like an object/array/quoted string; otherwise returns the input. */
export function parseJsonLoose(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trimStart();
  const c = s.charCodeAt(0);
  if (c !== 123 /* { */ && c !== 91 /* [ */ && c !== 34 /* " */) return v;
  try {
    return JSON.parse(s);
  } catch {
    return v;
  }
}

/** An attribute as a structure: kvlist/array trees as-is, JSON strings parsed, other strings returned verbatim. */
export function structured(a: Attributes, key: string): unknown {
  const v = a.values[key];
  if (v === undefined) return undefined;
  const t = a.types[key];
  if (t === undefined) return parseJsonLoose(v);
  return attr(a, key);
}

/** A string list from an array value, a JSON array text, or a single string. */
export function stringList(v: unknown): string[] {
  const p = parseJsonLoose(v);
  if (Array.isArray(p)) return p.map((x) => toText(x)).filter((x) => x !== '');
  if (p === undefined || p === null || p === '') return [];
  return [toText(p)];
}

/**
 * Rebuilds the list encoded as flattened indexed keys under `prefix`:
 * `prefix.0.role`, `prefix.0.tool_calls.1.name` -> [{ role, tool_calls: [, { name }] }].
 * Returns undefined when no key has the prefix. Walks the keys once; callers use it only for spans of a
 * recognized dialect.
 */
export function unflatten(a: Attributes, prefix: string): unknown[] | undefined {
  const p = prefix + '.';
  let out: unknown[] | undefined;
  for (const key in a.values) {
    if (!key.startsWith(p)) continue;
    const path = key.slice(p.length).split('.');
    if (!/^\d+$/.test(path[0])) continue;
    out ??= [];
    let node: Record<string, unknown> | unknown[] = out;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      const k: string | number = Array.isArray(node) && /^\d+$/.test(seg) ? Number(seg) : seg;
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[k] = attr(a, key);
      } else {
        let next = container[k];
        if (typeof next !== 'object' || next === null) {
          next = /^\d+$/.test(path[i + 1]) ? [] : {};
          container[k] = next;
        }
        node = next as Record<string, unknown> | unknown[];
      }
    }
  }
  return out?.filter((x) => x !== undefined);
}

/** `nanos - ms` as a decimal nanosecond string (for log events that report a duration at their end). */
export function nanosMinusMs(nanos: string, ms: number | null): string {
  if (ms === null || ms <= 0 || nanos === '0' || nanos === '') return nanos;
  try {
    const r = BigInt(nanos) - BigInt(Math.round(ms * 1e6));
    return r > 0n ? r.toString() : nanos;
  } catch {
    return nanos;
  }
}

/** Compares decimal nanosecond strings without BigInt (same-length fast path). */
export function cmpNanos(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function nonZero(nanos: string): boolean {
  return nanos !== '' && nanos !== '0';
}

/** Sum of the non-null numbers, null when all are null. */
export function sumOrNull(...xs: (number | null)[]): number | null {
  let s: number | null = null;
  for (const x of xs) if (x !== null) s = (s ?? 0) + x;
  return s;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
