// Attribute values in their storage form (see otlp.ts) and their OTLP/JSON form, in both directions.
// The OTLP/JSON form is also how structured values and attribute lists are stored, so the receivers decode
// with these, the store writes and reads its JSON columns with them, and normalizers read values through
// attr(). Nested arrays and kvlists are rendered as canonical OTLP/JSON (ints as decimal strings, bytes as
// base64), so both encodings of the same value store byte-identical text.
import { type Attributes, DecodeError, type TypedValue, emptyAttributes } from './otlp.js';

/**
 * Levels of arrays and kvlists an AnyValue may nest. `depth` counts containers only: the top value is at 0,
 * the values inside its array or kvlist at 1, and so on; a container at depth 33 is refused.
 */
export const MAX_DEPTH = 32;

export type JsonAny = Record<string, unknown>;

export function renderDouble(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** A double as proto3 JSON writes it. */
export function jsonDouble(v: number): number | string {
  return Number.isFinite(v) ? v : String(v); // proto3 JSON spells non-finite doubles as strings
}

/**
 * Most KeyValues decoded into one attribute list; the rest are skipped unread and counted in the item's
 * dropped_attributes_count. A guard against a request of millions of keys on one item (a dictionary that
 * large costs seconds to build); TRACEMILL_MAX_ATTRIBUTES applies below it.
 */
export const MAX_DECODED_ATTRIBUTES = 65536;

export function setAttr(attrs: Attributes, key: string, tv: TypedValue): void {
  attrs.values[key] = tv.value;
  if (tv.type) attrs.types[key] = tv.type;
  else delete attrs.types[key];
}

// ---------- OTLP/JSON ----------

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const INT_RE = /^-?\d+$/;

export function jsonInt(v: unknown, what: string): string {
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (Number.isSafeInteger(v)) return String(v);
    // Beyond 2^53 a JSON number is already rounded; keep its exact decimal value (never "1e+21"), in range.
    const b = BigInt(v);
    if (b < -(1n << 63n) || b >= 1n << 64n) throw new DecodeError(`${what} is out of the 64-bit range`);
    return b.toString();
  }
  if (typeof v === 'string' && INT_RE.test(v)) {
    const b = BigInt(v);
    if (b < -(1n << 63n) || b >= 1n << 64n) throw new DecodeError(`${what} is out of the 64-bit range`);
    return b.toString();
  }
  throw new DecodeError(`${what} must be an integer (number or decimal string), got ${JSON.stringify(v)?.slice(0, 40)}`);
}

/** A double from OTLP/JSON: a number, a quoted number, or proto3's NaN / Infinity / -Infinity strings. */
export function jsonDoubleIn(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new DecodeError(`${what} must be a number, got ${JSON.stringify(v)?.slice(0, 40)}`);
}

function jsonString(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  throw new DecodeError(`${what} must be a string`);
}

function jsonBytes(v: unknown, what: string): string {
  const s = jsonString(v, what);
  // Normalize (base64url, missing padding) to standard base64.
  return Buffer.from(s, 'base64').toString('base64');
}

export function anyValueFromJson(v: unknown, depth: number): TypedValue {
  if (!isObj(v)) {
    if (v === undefined || v === null) return { value: '', type: 'empty' };
    throw new DecodeError('AnyValue must be an object');
  }
  if ('stringValue' in v && v.stringValue !== undefined) return { value: jsonString(v.stringValue, 'stringValue'), type: undefined };
  if ('boolValue' in v && v.boolValue !== undefined) {
    if (typeof v.boolValue !== 'boolean') throw new DecodeError('boolValue must be a boolean');
    return { value: v.boolValue ? 'true' : 'false', type: 'bool' };
  }
  if ('intValue' in v && v.intValue !== undefined) return { value: jsonInt(v.intValue, 'intValue'), type: 'int' };
  if ('doubleValue' in v && v.doubleValue !== undefined) return { value: renderDouble(jsonDoubleIn(v.doubleValue, 'doubleValue')), type: 'double' };
  if ('arrayValue' in v && v.arrayValue !== undefined)
    return { value: JSON.stringify({ arrayValue: arrayTreeFromJson(v.arrayValue, depth + 1) }), type: 'array' };
  if ('kvlistValue' in v && v.kvlistValue !== undefined)
    return { value: JSON.stringify({ kvlistValue: kvlistTreeFromJson(v.kvlistValue, depth + 1) }), type: 'kvlist' };
  if ('bytesValue' in v && v.bytesValue !== undefined) return { value: jsonBytes(v.bytesValue, 'bytesValue'), type: 'bytes' };
  return { value: '', type: 'empty' };
}

function anyTreeFromJson(v: unknown, depth: number): JsonAny {
  if (depth > MAX_DEPTH) throw new DecodeError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  const tv = anyValueFromJson(v, depth);
  return typedToTree(tv);
}

function arrayTreeFromJson(v: unknown, depth: number): { values: JsonAny[] } {
  if (depth > MAX_DEPTH) throw new DecodeError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  if (!isObj(v)) throw new DecodeError('arrayValue must be an object');
  const values = v.values ?? [];
  if (!Array.isArray(values)) throw new DecodeError('arrayValue.values must be an array');
  return { values: values.map((x) => anyTreeFromJson(x, depth)) };
}

function kvlistTreeFromJson(v: unknown, depth: number): { values: { key: string; value: JsonAny }[] } {
  if (depth > MAX_DEPTH) throw new DecodeError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  if (!isObj(v)) throw new DecodeError('kvlistValue must be an object');
  const values = v.values ?? [];
  if (!Array.isArray(values)) throw new DecodeError('kvlistValue.values must be an array');
  return {
    values: values.map((kv) => {
      if (!isObj(kv)) throw new DecodeError('a KeyValue must be an object');
      return { key: jsonString(kv.key ?? '', 'key'), value: anyTreeFromJson(kv.value, depth) };
    }),
  };
}

export function attributesFromJson(v: unknown, what = 'attributes'): Attributes {
  const attrs = emptyAttributes();
  if (v === undefined || v === null) return attrs;
  if (!Array.isArray(v)) throw new DecodeError(`${what} must be an array of KeyValue`);
  const n = Math.min(v.length, MAX_DECODED_ATTRIBUTES); // the rest: see attrOverflow
  for (let i = 0; i < n; i++) {
    const kv: unknown = v[i];
    if (!isObj(kv)) throw new DecodeError(`${what}: each KeyValue must be an object`);
    setAttr(attrs, jsonString(kv.key ?? '', `${what} key`), anyValueFromJson(kv.value, 0));
  }
  return attrs;
}

// ---------- conversions from the storage form ----------

/** Canonical OTLP/JSON AnyValue for a stored value. */
export function typedToTree(tv: TypedValue): JsonAny {
  switch (tv.type) {
    case undefined:
      return { stringValue: tv.value };
    case 'bool':
      return { boolValue: tv.value === 'true' };
    case 'int':
      return { intValue: tv.value };
    case 'double':
      return { doubleValue: jsonDouble(Number(tv.value)) };
    case 'bytes':
      return { bytesValue: tv.value };
    case 'array':
    case 'kvlist':
      return JSON.parse(tv.value) as JsonAny;
    default:
      return {};
  }
}

/** OTLP/JSON KeyValue list for stored attributes. */
export function attributesToJson(attrs: Attributes): { key: string; value: JsonAny }[] {
  return Object.keys(attrs.values).map((key) => ({ key, value: typedToTree({ value: attrs.values[key], type: attrs.types[key] }) }));
}

/** Plain JS value for a tree node: what normalizers want (kvlist -> object, array -> array). */
export function treeToPlain(node: JsonAny): unknown {
  if ('stringValue' in node) return node.stringValue;
  if ('boolValue' in node) return node.boolValue;
  if ('intValue' in node) {
    const n = Number(node.intValue);
    return Number.isSafeInteger(n) ? n : node.intValue;
  }
  if ('doubleValue' in node) return Number(node.doubleValue);
  if ('bytesValue' in node) return node.bytesValue;
  if ('arrayValue' in node) return ((node.arrayValue as { values?: JsonAny[] }).values ?? []).map(treeToPlain);
  if ('kvlistValue' in node) {
    const out: Record<string, unknown> = {};
    for (const kv of (node.kvlistValue as { values?: { key: string; value: JsonAny }[] }).values ?? []) out[kv.key] = treeToPlain(kv.value);
    return out;
  }
  return null;
}

/** Plain JS value of attribute `key`, or undefined when absent. */
export function attr(attrs: Attributes, key: string): unknown {
  const value = attrs.values[key];
  if (value === undefined) return undefined;
  const type = attrs.types[key];
  if (type === undefined) return value;
  return treeToPlain(typedToTree({ value, type }));
}
