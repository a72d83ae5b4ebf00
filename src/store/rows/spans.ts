// Span -> row of the spans table, encoded into a Native block (src/store/native.ts).
import { attributesToJson } from '../../model/values.js';
import type { Span } from '../../model/otlp.js';
import { MapColumn, StringColumn, block, encodedString, fixedColumn, nativeSchema, setDecimalU64 } from '../native.js';
import type { TableRows } from '../writer.js';
import { ENVELOPE_SPECS, EnvelopeColumns, projectValue } from './envelope.js';
import { type CommittedMessages, MESSAGE_REF, splitHistories } from './messages.js';
import { type ConversationKeys, sessionIdOf } from './session.js';

export const SPANS = nativeSchema('spans', [
  { name: 'project_id', type: 'String' },
  { name: 'start_time', type: "DateTime64(9, 'UTC')" },
  { name: 'end_time', type: "DateTime64(9, 'UTC')" },
  { name: 'trace_id', type: 'String' },
  { name: 'span_id', type: 'String' },
  { name: 'parent_span_id', type: 'String' },
  { name: 'trace_state', type: 'String' },
  { name: 'flags', type: 'UInt32' },
  { name: 'name', type: 'String' },
  { name: 'kind', type: 'Int32' },
  { name: 'status_code', type: 'Int32' },
  { name: 'status_message', type: 'String' },
  { name: 'service_name', type: 'String' },
  { name: 'session_id', type: 'String' },
  { name: 'attributes', type: 'Map(String, String)' },
  { name: 'attribute_types', type: 'Map(String, String)' },
  { name: 'dropped_attributes_count', type: 'UInt32' },
  { name: 'events', type: 'String' },
  { name: 'dropped_events_count', type: 'UInt32' },
  { name: 'links', type: 'String' },
  { name: 'dropped_links_count', type: 'UInt32' },
  ...ENVELOPE_SPECS,
]);

export function eventsJson(s: Span): string {
  if (s.events.length === 0) return '[]';
  return JSON.stringify(
    s.events.map((e) => ({
      timeUnixNano: e.timeUnixNano,
      name: e.name,
      attributes: attributesToJson(e.attributes),
      droppedAttributesCount: e.droppedAttributesCount,
    })),
  );
}

export function linksJson(s: Span): string {
  if (s.links.length === 0) return '[]';
  return JSON.stringify(
    s.links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      traceState: l.traceState,
      attributes: attributesToJson(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount,
      flags: l.flags,
    })),
  );
}

const EMPTY_LIST = encodedString('[]');

/**
 * A request's spans as table rows: the spans, with their message histories stored content-addressed
 * (rows/messages.ts) and the messages not yet stored ahead of them.
 */
export function spanTables(project: string, spans: Span[], keys: ConversationKeys, committed?: CommittedMessages): TableRows[] {
  const histories = splitHistories(project, spans, keys, committed);
  const rows = encodeSpans(project, spans, keys.session, histories.skeletons);
  return histories.rows ? [histories.rows, rows] : [rows];
}

/** The spans table's rows; `skeletons[i]` replaces attributes of span i (typed MESSAGE_REF) when given. */
export function encodeSpans(project: string, spans: Span[], sessionKeys: readonly string[], skeletons?: readonly (Record<string, string> | undefined)[]): TableRows {
  const n = spans.length;
  const projectId = new StringColumn(n * 8);
  const times = new Uint32Array(n * 2);
  const endTimes = new Uint32Array(n * 2);
  const traceId = new StringColumn(n * 33);
  const spanId = new StringColumn(n * 17);
  const parentSpanId = new StringColumn(n * 17);
  const traceState = new StringColumn(n);
  const flags = new Uint32Array(n);
  const name = new StringColumn(n * 24);
  const kind = new Int32Array(n);
  const statusCode = new Int32Array(n);
  const statusMessage = new StringColumn(n);
  const serviceName = new StringColumn(n * 12);
  const sessionId = new StringColumn(n * 37);
  const attributes = new MapColumn(n, n * 256);
  const attributeTypes = new MapColumn(n, n * 8);
  const droppedAttributes = new Uint32Array(n);
  const events = new StringColumn(n * 3);
  const droppedEvents = new Uint32Array(n);
  const links = new StringColumn(n * 3);
  const droppedLinks = new Uint32Array(n);
  const envelope = new EnvelopeColumns(n);
  const project_ = projectValue(project);
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    projectId.sink.bytes(project_);
    setDecimalU64(times, i, s.startTimeUnixNano);
    setDecimalU64(endTimes, i, s.endTimeUnixNano);
    traceId.sink.str(s.traceId);
    spanId.sink.str(s.spanId);
    parentSpanId.sink.str(s.parentSpanId);
    traceState.sink.str(s.traceState);
    flags[i] = s.flags;
    name.sink.str(s.name);
    kind[i] = s.kind;
    statusCode[i] = s.statusCode;
    statusMessage.sink.str(s.statusMessage);
    serviceName.sink.str(s.resource.serviceName);
    sessionId.sink.str(sessionIdOf(s.attributes, sessionKeys));
    const skeleton = skeletons?.[i];
    if (skeleton) {
      attributes.map(s.attributes.values, skeleton);
      attributeTypes.map(s.attributes.types, undefined, skeleton, MESSAGE_REF);
    } else {
      attributes.map(s.attributes.values);
      attributeTypes.map(s.attributes.types);
    }
    droppedAttributes[i] = s.droppedAttributesCount;
    if (s.events.length) events.sink.str(eventsJson(s));
    else events.sink.bytes(EMPTY_LIST);
    droppedEvents[i] = s.droppedEventsCount;
    if (s.links.length) links.sink.str(linksJson(s));
    else links.sink.bytes(EMPTY_LIST);
    droppedLinks[i] = s.droppedLinksCount;
    envelope.add(s.resource, s.scope);
  }
  return {
    schema: SPANS,
    block: block(n, [
      projectId.done(),
      fixedColumn(times),
      fixedColumn(endTimes),
      traceId.done(),
      spanId.done(),
      parentSpanId.done(),
      traceState.done(),
      fixedColumn(flags),
      name.done(),
      fixedColumn(kind),
      fixedColumn(statusCode),
      statusMessage.done(),
      serviceName.done(),
      sessionId.done(),
      attributes.done(),
      attributeTypes.done(),
      fixedColumn(droppedAttributes),
      events.done(),
      fixedColumn(droppedEvents),
      links.done(),
      fixedColumn(droppedLinks),
      ...envelope.done(),
    ]),
  };
}
