// AnyValue / KeyValue decoding from protobuf into the storage form (src/model/otlp.ts). Nested arrays and
// kvlists are rendered as the same canonical OTLP/JSON that the JSON decoder (src/model/values.ts) writes,
// so both encodings of the same value store byte-identical text.
import { type Attributes, DecodeError, type TypedValue, type ValueType } from '../../model/otlp.js';
import { type JsonAny, MAX_DECODED_ATTRIBUTES, MAX_DEPTH, jsonDouble, renderDouble, setAttr } from '../../model/values.js';
import type { Reader } from './wire.js';

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

