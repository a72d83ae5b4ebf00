// AnyValue / KeyValue decoding for both encodings, into the storage form described in model.ts.
// Nested arrays and kvlists are rendered as canonical OTLP/JSON (ints as decimal strings, bytes as base64),
// so both encodings of the same value store byte-identical text.
import { type Attributes, type TypedValue, type ValueType, emptyAttributes } from '../../model/otlp.js';
import { DecodeError, Reader } from './wire.js';

/**
 * Levels of arrays and kvlists an AnyValue may nest. `depth` counts containers only: the top value is at 0,
 * the values inside its array or kvlist at 1, and so on; a container at depth 33 is refused.
 */
export const MAX_DEPTH = 32;

type JsonAny = Record<string, unknown>;

export function renderDouble(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function jsonDouble(v: number): number | string {
  return Number.isFinite(v) ? v : String(v); // proto3 JSON spells non-finite doubles as strings
}

// ---------- protobuf ----------

export function readAnyValue(r: Reader, depth: number): TypedValue {
  let value = '';
  let type: ValueType | undefined = 'empty';
  while (!r.done()) {
    const tag = r.varint32();
    switch (tag) {
      case 10:
        value = r.string();
        type = undefined;
        break;
      case 16:
        value = r.bool() ? 'true' : 'false';
        type = 'bool';
        break;
      case 24:
        value = String(r.int64());
        type = 'int';
        break;
      case 33:
        value = renderDouble(r.double());
        type = 'double';
        break;
      case 42: {
        value = JSON.stringify({ arrayValue: readArrayTree(r.sub(), depth + 1) });
        type = 'array';
        break;
      }
      case 50: {
        value = JSON.stringify({ kvlistValue: readKvlistTree(r.sub(), depth + 1) });
        type = 'kvlist';
        break;
      }
      case 58:
        value = r.bytes().toString('base64');
        type = 'bytes';
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return { value, type };
}

function readAnyTree(r: Reader, depth: number): JsonAny {
  if (depth > MAX_DEPTH) throw new DecodeError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  let out: JsonAny = {};
  while (!r.done()) {
    const tag = r.varint32();
    switch (tag) {
      case 10:
        out = { stringValue: r.string() };
        break;
      case 16:
        out = { boolValue: r.bool() };
        break;
      case 24:
        out = { intValue: String(r.int64()) };
        break;
      case 33:
        out = { doubleValue: jsonDouble(r.double()) };
        break;
      case 42:
        out = { arrayValue: readArrayTree(r.sub(), depth + 1) };
        break;
      case 50:
        out = { kvlistValue: readKvlistTree(r.sub(), depth + 1) };
        break;
      case 58:
        out = { bytesValue: r.bytes().toString('base64') };
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return out;
}

function readArrayTree(r: Reader, depth: number): { values: JsonAny[] } {
  if (depth > MAX_DEPTH) throw new DecodeError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  const values: JsonAny[] = [];
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 10) values.push(readAnyTree(r.sub(), depth));
    else r.skip(tag & 7);
  }
  return { values };
}

function readKvlistTree(r: Reader, depth: number): { values: { key: string; value: JsonAny }[] } {
  if (depth > MAX_DEPTH) throw new DecodeError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  const values: { key: string; value: JsonAny }[] = [];
  while (!r.done()) {
    const tag = r.varint32();
    if (tag !== 10) {
      r.skip(tag & 7);
      continue;
    }
    const kv = r.sub();
    let key = '';
    let value: JsonAny = {};
    while (!kv.done()) {
      const t = kv.varint32();
      if (t === 10) key = kv.string();
      else if (t === 18) value = readAnyTree(kv.sub(), depth);
      else kv.skip(t & 7);
    }
    values.push({ key, value });
  }
  return { values };
}

/**
 * Most KeyValues decoded into one attribute list; the rest are skipped unread and counted in the item's
 * dropped_attributes_count. A guard against a request of millions of keys on one item (a dictionary that
 * large costs seconds to build); TRACEMILL_MAX_ATTRIBUTES applies below it.
 */
export const MAX_DECODED_ATTRIBUTES = 65536;

/** Reads the KeyValue field at r (its tag already read) into attrs, unless `n` already reached the cap; returns n + 1. */
export function readAttr(r: Reader, attrs: Attributes, n: number): number {
  if (n < MAX_DECODED_ATTRIBUTES) readKeyValue(r.sub(), attrs);
  else r.skip(2);
  return n + 1;
}

/** How many of `n` KeyValues were skipped by the cap (protobuf: a count; JSON: the attributes array). */
export function attrOverflow(n: unknown): number {
  const count = typeof n === 'number' ? n : Array.isArray(n) ? n.length : 0;
  return count > MAX_DECODED_ATTRIBUTES ? count - MAX_DECODED_ATTRIBUTES : 0;
}

/** A dropped_attributes_count plus `more`, saturating at the uint32 maximum (the column type) instead of wrapping. */
export function addDropped(count: number, more: number): number {
  return more === 0 ? count : Math.min(0xffffffff, count + more);
}

/** Reads one KeyValue message into attrs. */
export function readKeyValue(r: Reader, attrs: Attributes): void {
  let key = '';
  let tv: TypedValue = { value: '', type: 'empty' };
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 10) key = r.string();
    else if (tag === 18) tv = readAnyValue(r.sub(), 0);
    else r.skip(tag & 7);
  }
  setAttr(attrs, key, tv);
}

export function setAttr(attrs: Attributes, key: string, tv: TypedValue): void {
  attrs.values[key] = tv.value;
  if (tv.type) attrs.types[key] = tv.type;
  else delete attrs.types[key];
}

// ---------- JSON ----------

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
