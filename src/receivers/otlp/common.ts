// Pieces shared by the trace, log and metric decoders: resource, scope, ids, envelopes.
import { addDropped, attrOverflow, readAttr } from './anyvalue.js';
import { attributesFromJson, jsonInt } from '../../model/values.js';
import { DecodeError, MAX_NANOS, type Resource, type Scope, emptyAttributes } from '../../model/otlp.js';
import { Reader } from './wire.js';

export function readResource(r: Reader, schemaUrl: string): Resource {
  const attributes = emptyAttributes();
  let dropped = 0;
  let n = 0;
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 10) n = readAttr(r, attributes, n);
    else if (tag === 16) dropped = r.varint32();
    else r.skip(tag & 7); // entity_refs (3) and future fields
  }
  return { attributes, droppedAttributesCount: addDropped(dropped, attrOverflow(n)), schemaUrl, serviceName: attributes.values['service.name'] ?? '' };
}

export function readScope(r: Reader | undefined, schemaUrl: string): Scope {
  const scope: Scope = { name: '', version: '', attributes: emptyAttributes(), droppedAttributesCount: 0, schemaUrl };
  if (!r) return scope;
  let n = 0;
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 10) scope.name = r.string();
    else if (tag === 18) scope.version = r.string();
    else if (tag === 26) n = readAttr(r, scope.attributes, n);
    else if (tag === 32) scope.droppedAttributesCount = r.varint32();
    else r.skip(tag & 7);
  }
  scope.droppedAttributesCount = addDropped(scope.droppedAttributesCount, attrOverflow(n));
  return scope;
}

export const EMPTY_RESOURCE_READER = (): Reader => new Reader(Buffer.alloc(0));

/**
 * Walks an Export*ServiceRequest envelope: resource_X (field 1) -> {resource (1), scope_X (2), schema_url (3)}
 * -> {scope (1), items (2), schema_url (3)}. Calls onItem for every item with its resource and scope.
 * Resource and scope may follow their children on the wire, so each message is read twice: once for its own
 * fields (skipping the children), then for the children. Nothing is allocated per child before onItem sees
 * it, so the item limit stops a request of millions of tiny items early, and empty envelopes cost nothing.
 */
export function walkEnvelope(buf: Buffer, onItem: (item: Reader, resource: Resource, scope: Scope) => void): void {
  const top = new Reader(buf);
  while (!top.done()) {
    const tag = top.varint32();
    if (tag !== 10) {
      top.skip(tag & 7);
      continue;
    }
    const rs = top.sub();
    const rsStart = rs.pos;
    let resourceReader: Reader | undefined;
    let schemaUrl = '';
    let scopes = false;
    while (!rs.done()) {
      const t = rs.varint32();
      if (t === 10) resourceReader = rs.sub();
      else if (t === 26) schemaUrl = rs.string();
      else {
        if (t === 18) scopes = true;
        rs.skip(t & 7);
      }
    }
    if (!scopes) continue;
    let resource: Resource | undefined;
    rs.pos = rsStart;
    while (!rs.done()) {
      const t = rs.varint32();
      if (t !== 18) {
        rs.skip(t & 7);
        continue;
      }
      const ss = rs.sub();
      const ssStart = ss.pos;
      let scopeReader: Reader | undefined;
      let scopeSchema = '';
      let items = false;
      while (!ss.done()) {
        const u = ss.varint32();
        if (u === 10) scopeReader = ss.sub();
        else if (u === 26) scopeSchema = ss.string();
        else {
          if (u === 18) items = true;
          ss.skip(u & 7);
        }
      }
      if (!items) continue;
      resource ??= readResource(resourceReader ?? EMPTY_RESOURCE_READER(), schemaUrl);
      const scope = readScope(scopeReader, scopeSchema);
      ss.pos = ssStart;
      while (!ss.done()) {
        const u = ss.varint32();
        if (u === 18) onItem(ss.sub(), resource, scope);
        else ss.skip(u & 7);
      }
    }
  }
}

// ---------- JSON envelopes ----------

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function arr(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${what} must be an array`);
  return v;
}

/** Reads a field by its lowerCamelCase name, accepting the snake_case spelling some exporters send. */
export function field(o: Record<string, unknown>, camel: string): unknown {
  const v = o[camel];
  if (v !== undefined) return v;
  return o[camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())];
}

export function jsonStr(o: Record<string, unknown>, camel: string): string {
  const v = field(o, camel);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new DecodeError(`${camel} must be a string`);
  return v;
}

export function jsonUint(o: Record<string, unknown>, camel: string): number {
  const v = field(o, camel);
  if (v === undefined || v === null) return 0;
  const n = Number(jsonInt(v, camel));
  if (n < 0 || n > 0xffffffff) throw new DecodeError(`${camel} must be an unsigned 32-bit integer`);
  return n;
}

/** Enum fields are integers in OTLP/JSON; names are accepted too when the caller gives a table. */
export function jsonEnum(o: Record<string, unknown>, camel: string, names?: Record<string, number>): number {
  const v = field(o, camel);
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && names && v in names) return names[v];
  const n = Number(jsonInt(v, camel));
  if (n < -0x80000000 || n > 0x7fffffff) throw new DecodeError(`${camel} is out of the int32 range`);
  return n;
}

export function jsonNanos(o: Record<string, unknown>, camel: string): string {
  const v = field(o, camel);
  if (v === undefined || v === null) return '0';
  return jsonInt(v, camel);
}

export function resourceFromJson(v: unknown, schemaUrl: string): Resource {
  const o = isObj(v) ? v : {};
  const attributes = attributesFromJson(field(o, 'attributes'), 'resource.attributes');
  return {
    attributes,
    droppedAttributesCount: addDropped(jsonUint(o, 'droppedAttributesCount'), attrOverflow(field(o, 'attributes'))),
    schemaUrl,
    serviceName: attributes.values['service.name'] ?? '',
  };
}

export function scopeFromJson(v: unknown, schemaUrl: string): Scope {
  const o = isObj(v) ? v : {};
  return {
    name: jsonStr(o, 'name'),
    version: jsonStr(o, 'version'),
    attributes: attributesFromJson(field(o, 'attributes'), 'scope.attributes'),
    droppedAttributesCount: addDropped(jsonUint(o, 'droppedAttributesCount'), attrOverflow(field(o, 'attributes'))),
    schemaUrl,
  };
}

/** Walks an OTLP/JSON envelope (resourceSpans / resourceLogs / resourceMetrics). */
export function walkJsonEnvelope(
  doc: unknown,
  resourceKey: string,
  scopeKey: string,
  itemKey: string,
  onItem: (item: unknown, resource: Resource, scope: Scope) => void,
): void {
  if (!isObj(doc)) throw new DecodeError('the request body must be a JSON object');
  for (const rs of arr(field(doc, resourceKey), resourceKey)) {
    if (!isObj(rs)) throw new DecodeError(`${resourceKey}[] entries must be objects`);
    const resource = resourceFromJson(field(rs, 'resource'), jsonStr(rs, 'schemaUrl'));
    for (const ss of arr(field(rs, scopeKey), scopeKey)) {
      if (!isObj(ss)) throw new DecodeError(`${scopeKey}[] entries must be objects`);
      const scope = scopeFromJson(field(ss, 'scope'), jsonStr(ss, 'schemaUrl'));
      for (const item of arr(field(ss, itemKey), itemKey)) onItem(item, resource, scope);
    }
  }
}

// ---------- ids and timestamps ----------

const HEX_RE = /^[0-9a-fA-F]*$/;

/**
 * OTLP/JSON ids are hex (case-insensitive). Some exporters send plain proto3-JSON base64 instead;
 * a 32/16-char hex string is unambiguous, so anything else of base64 shape is decoded as base64.
 */
export function jsonId(v: unknown, bytes: number): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') return '!not-a-string';
  if (v.length === bytes * 2 && HEX_RE.test(v)) return v.toLowerCase();
  const b = Buffer.from(v, 'base64');
  if (b.length === bytes && /^[A-Za-z0-9+/_-]+=*$/.test(v)) return b.toString('hex');
  return v.toLowerCase(); // wrong length: validateIds reports it
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Returns a rejection reason, or '' when the ids are valid. */
export function checkTraceId(id: string, what = 'trace_id'): string {
  if (id.length !== 32 || !HEX_RE.test(id)) return `${what} must be 16 bytes`;
  if (id === ZERO_TRACE) return `${what} must not be all zeros`;
  return '';
}

export function checkSpanId(id: string, what = 'span_id', optional = false): string {
  if (optional && id === '') return '';
  if (id.length !== 16 || !HEX_RE.test(id)) return `${what} must be 8 bytes`;
  if (id === ZERO_SPAN) return optional ? '' : `${what} must not be all zeros`;
  return '';
}

/** Optional ids on logs and links: empty is fine, otherwise the length must be right. */
export function checkOptionalTraceId(id: string): string {
  if (id === '' || id === ZERO_TRACE) return '';
  return checkTraceId(id);
}

const MAX_NANOS_TEXT = MAX_NANOS.toString();

/** The first nanosecond after 2149-06-06, the last day a ClickHouse Date holds (spans and operations are filed by day). */
const AFTER_LAST_DAY_TEXT = String(Date.UTC(2149, 5, 7)) + '000000';

/**
 * A span is filed under its start day: a start after 2149-06-06 cannot be (the day would wrap around, and
 * the trace would be listed but not found). Call after checkNanos.
 */
export function checkFiledDay(ns: string, what: string): string {
  if (ns.length < 19 || (ns.length === 19 && ns < AFTER_LAST_DAY_TEXT)) return '';
  return `${what} is after 2149-06-06, the last day the store files spans under`;
}

export function checkNanos(ns: string, what: string): string {
  if (ns.startsWith('-')) return `${what} must not be negative`;
  if (ns.length < 19) return '';
  // Digits of the same length compare as text: no BigInt for the common case, a 19-digit timestamp.
  if (ns.length === 19 && ns <= MAX_NANOS_TEXT && ns[0] !== '0') return '';
  return BigInt(ns) > MAX_NANOS ? `${what} is beyond the year 2262` : '';
}
