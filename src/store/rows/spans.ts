// Span -> row of the spans table, encoded as a JSONCompactEachRow line.
import { attributesToJson } from '../../receivers/otlp/anyvalue.js';
import type { Span } from '../../receivers/otlp/model.js';
import type { TableRows } from '../writer.js';
import { ENVELOPE_COLUMNS, envelopeColumns } from './envelope.js';
import { sessionIdOf } from './session.js';

export const SPAN_COLUMNS = [
  'project_id',
  'start_time',
  'end_time',
  'trace_id',
  'span_id',
  'parent_span_id',
  'trace_state',
  'flags',
  'name',
  'kind',
  'status_code',
  'status_message',
  'service_name',
  'session_id',
  'attributes',
  'attribute_types',
  'dropped_attributes_count',
  'events',
  'dropped_events_count',
  'links',
  'dropped_links_count',
  ...ENVELOPE_COLUMNS,
] as const;

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

export function encodeSpans(project: string, spans: Span[]): TableRows {
  let body = '';
  const projectJson = JSON.stringify(project);
  for (const s of spans) {
    // Nanosecond timestamps go in as bare integers (validated digits): DateTime64(9) reads them as ticks.
    const head = JSON.stringify([
      s.traceId,
      s.spanId,
      s.parentSpanId,
      s.traceState,
      s.flags,
      s.name,
      s.kind,
      s.statusCode,
      s.statusMessage,
      s.resource.serviceName,
      sessionIdOf(s.attributes),
      s.attributes.values,
      s.attributes.types,
      s.droppedAttributesCount,
      eventsJson(s),
      s.droppedEventsCount,
      linksJson(s),
      s.droppedLinksCount,
    ]);
    body += `[${projectJson},${s.startTimeUnixNano},${s.endTimeUnixNano},${head.slice(1, -1)},${envelopeColumns(s.resource, s.scope)}]\n`;
  }
  return { table: 'spans', columns: SPAN_COLUMNS, body, rows: spans.length };
}
