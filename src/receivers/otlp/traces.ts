// ExportTraceServiceRequest decoders (protobuf and OTLP/JSON) into Span records.
import { addDropped, attrOverflow, readAttr } from './anyvalue.js';
import { attributesFromJson } from '../../model/values.js';
import {
  arr,
  checkFiledDay,
  checkNanos,
  checkOptionalTraceId,
  checkSpanId,
  checkTraceId,
  field,
  isObj,
  jsonEnum,
  jsonId,
  jsonNanos,
  jsonStr,
  jsonUint,
  walkEnvelope,
  walkJsonEnvelope,
} from './common.js';
import { DecodeError, type Decoded, type Decoding, type Resource, type Scope, type Span, type SpanEvent, type SpanLink, addRejection, countItem, emptyAttributes, startDecoding } from '../../model/otlp.js';
import { Reader } from './wire.js';

function newSpan(resource: Resource, scope: Scope): Span {
  return {
    resource,
    scope,
    traceId: '',
    spanId: '',
    parentSpanId: '',
    traceState: '',
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: emptyAttributes(),
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    statusCode: 0,
    statusMessage: '',
  };
}

/** Returns why a span cannot be stored, or '' when it is valid. */
export function validateSpan(s: Span): string {
  return (
    checkTraceId(s.traceId) ||
    checkSpanId(s.spanId) ||
    checkSpanId(s.parentSpanId, 'parent_span_id', true) ||
    checkNanos(s.startTimeUnixNano, 'start_time_unix_nano') ||
    checkFiledDay(s.startTimeUnixNano, 'start_time_unix_nano') ||
    checkNanos(s.endTimeUnixNano, 'end_time_unix_nano') ||
    s.events.map((e) => checkNanos(e.timeUnixNano, 'event time_unix_nano')).find(Boolean) ||
    s.links.map((l) => checkOptionalTraceId(l.traceId) || checkSpanId(l.spanId, 'link span_id', true)).find(Boolean) ||
    ''
  );
}

function collect(out: Decoding<Span>, read: () => Span): void {
  countItem(out);
  let s: Span;
  try {
    s = read();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    addRejection(out.rejected, `malformed span: ${e.message}`);
    return;
  }
  const reason = validateSpan(s);
  if (reason) addRejection(out.rejected, reason);
  else {
    if (s.parentSpanId === '0000000000000000') s.parentSpanId = '';
    out.items.push(s);
  }
}

// ---------- protobuf ----------

export function decodeTracesProto(buf: Buffer, maxItems?: number): Decoded<Span> {
  const out = startDecoding<Span>(maxItems);
  walkEnvelope(buf, (r, resource, scope) => collect(out, () => readSpan(r, resource, scope)));
  return out;
}

function readSpan(r: Reader, resource: Resource, scope: Scope): Span {
  const s = newSpan(resource, scope);
  let n = 0;
  while (!r.done()) {
    const tag = r.varint32();
    switch (tag) {
      case 10:
        s.traceId = r.hex();
        break;
      case 18:
        s.spanId = r.hex();
        break;
      case 26:
        s.traceState = r.string();
        break;
      case 34:
        s.parentSpanId = r.hex();
        break;
      case 42:
        s.name = r.string();
        break;
      case 48:
        s.kind = r.varint32() | 0;
        break;
      case 57:
        s.startTimeUnixNano = r.fixed64();
        break;
      case 65:
        s.endTimeUnixNano = r.fixed64();
        break;
      case 74:
        n = readAttr(r, s.attributes, n);
        break;
      case 80:
        s.droppedAttributesCount = r.varint32();
        break;
      case 90:
        s.events.push(readEvent(r.sub()));
        break;
      case 96:
        s.droppedEventsCount = r.varint32();
        break;
      case 106:
        s.links.push(readLink(r.sub()));
        break;
      case 112:
        s.droppedLinksCount = r.varint32();
        break;
      case 122: {
        const st = r.sub();
        while (!st.done()) {
          const t = st.varint32();
          if (t === 18) s.statusMessage = st.string();
          else if (t === 24) s.statusCode = st.varint32() | 0;
          else st.skip(t & 7);
        }
        break;
      }
      case 133:
        s.flags = r.fixed32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  s.droppedAttributesCount = addDropped(s.droppedAttributesCount, attrOverflow(n));
  return s;
}

function readEvent(r: Reader): SpanEvent {
  const e: SpanEvent = { timeUnixNano: '0', name: '', attributes: emptyAttributes(), droppedAttributesCount: 0 };
  let n = 0;
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 9) e.timeUnixNano = r.fixed64();
    else if (tag === 18) e.name = r.string();
    else if (tag === 26) n = readAttr(r, e.attributes, n);
    else if (tag === 32) e.droppedAttributesCount = r.varint32();
    else r.skip(tag & 7);
  }
  e.droppedAttributesCount = addDropped(e.droppedAttributesCount, attrOverflow(n));
  return e;
}

function readLink(r: Reader): SpanLink {
  const l: SpanLink = { traceId: '', spanId: '', traceState: '', attributes: emptyAttributes(), droppedAttributesCount: 0, flags: 0 };
  let n = 0;
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 10) l.traceId = r.hex();
    else if (tag === 18) l.spanId = r.hex();
    else if (tag === 26) l.traceState = r.string();
    else if (tag === 34) n = readAttr(r, l.attributes, n);
    else if (tag === 40) l.droppedAttributesCount = r.varint32();
    else if (tag === 53) l.flags = r.fixed32();
    else r.skip(tag & 7);
  }
  l.droppedAttributesCount = addDropped(l.droppedAttributesCount, attrOverflow(n));
  return l;
}

// ---------- JSON ----------

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

export function decodeTracesJson(doc: unknown, maxItems?: number): Decoded<Span> {
  const out = startDecoding<Span>(maxItems);
  walkJsonEnvelope(doc, 'resourceSpans', 'scopeSpans', 'spans', (item, resource, scope) => {
    collect(out, () => {
      if (!isObj(item)) throw new DecodeError('spans[] entries must be objects');
      return spanFromJson(item, resource, scope);
    });
  });
  return out;
}

function spanFromJson(o: Record<string, unknown>, resource: Resource, scope: Scope): Span {
  const s = newSpan(resource, scope);
  s.traceId = jsonId(field(o, 'traceId'), 16);
  s.spanId = jsonId(field(o, 'spanId'), 8);
  s.parentSpanId = jsonId(field(o, 'parentSpanId'), 8);
  s.traceState = jsonStr(o, 'traceState');
  s.flags = jsonUint(o, 'flags');
  s.name = jsonStr(o, 'name');
  s.kind = jsonEnum(o, 'kind', SPAN_KINDS);
  s.startTimeUnixNano = jsonNanos(o, 'startTimeUnixNano');
  s.endTimeUnixNano = jsonNanos(o, 'endTimeUnixNano');
  s.attributes = attributesFromJson(field(o, 'attributes'), 'span.attributes');
  s.droppedAttributesCount = addDropped(jsonUint(o, 'droppedAttributesCount'), attrOverflow(field(o, 'attributes')));
  s.droppedEventsCount = jsonUint(o, 'droppedEventsCount');
  s.droppedLinksCount = jsonUint(o, 'droppedLinksCount');
  for (const e of arr(field(o, 'events'), 'events')) {
    if (!isObj(e)) throw new DecodeError('events[] entries must be objects');
    s.events.push({
      timeUnixNano: jsonNanos(e, 'timeUnixNano'),
      name: jsonStr(e, 'name'),
      attributes: attributesFromJson(field(e, 'attributes'), 'event.attributes'),
      droppedAttributesCount: addDropped(jsonUint(e, 'droppedAttributesCount'), attrOverflow(field(e, 'attributes'))),
    });
  }
  for (const l of arr(field(o, 'links'), 'links')) {
    if (!isObj(l)) throw new DecodeError('links[] entries must be objects');
    s.links.push({
      traceId: jsonId(field(l, 'traceId'), 16),
      spanId: jsonId(field(l, 'spanId'), 8),
      traceState: jsonStr(l, 'traceState'),
      attributes: attributesFromJson(field(l, 'attributes'), 'link.attributes'),
      droppedAttributesCount: addDropped(jsonUint(l, 'droppedAttributesCount'), attrOverflow(field(l, 'attributes'))),
      flags: jsonUint(l, 'flags'),
    });
  }
  const status = field(o, 'status');
  if (isObj(status)) {
    s.statusCode = jsonEnum(status, 'code', STATUS_CODES);
    s.statusMessage = jsonStr(status, 'message');
  }
  return s;
}
