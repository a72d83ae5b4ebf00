// Stored span and log rows back into the decoded model (model/otlp.ts), so normalization can run
// over stored data exactly as it would over a request: the settle loop and `renormalize` read through here.
import { attributesFromJson } from '../../model/values.js';
import type { LogRecord, Resource, Scope, Span, SpanEvent, SpanLink, ValueType } from '../../model/otlp.js';
import { type RawEnvelopeRow, type RawSpanRow, attrs } from './spans.js';

export { RAW_SPAN_SELECT } from './spans.js';


export const RAW_LOG_SELECT = `
  toString(toUnixTimestamp64Nano(time)) AS time_ns, toString(toUnixTimestamp64Nano(observed_time)) AS observed_ns,
  trace_id, span_id, flags, severity_number, severity_text, event_name, body, body_type, service_name,
  attributes, attribute_types, dropped_attributes_count,
  resource_attributes, resource_attribute_types, resource_dropped_attributes_count, resource_schema_url,
  scope_name, scope_version, scope_attributes, scope_attribute_types, scope_dropped_attributes_count, scope_schema_url`;

export interface RawLogRow extends RawEnvelopeRow {
  time_ns: string;
  observed_ns: string;
  trace_id: string;
  span_id: string;
  flags: number;
  severity_number: number;
  severity_text: string;
  event_name: string;
  body: string;
  body_type: string;
  attributes: Record<string, string>;
  attribute_types: Record<string, string>;
  dropped_attributes_count: number;
}

/** Rows of one request share resource and scope objects; rebuilt rows share them by content instead. */
class Envelopes {
  private resources = new Map<string, Resource>();
  private scopes = new Map<string, Scope>();

  resource(r: RawEnvelopeRow): Resource {
    const key = JSON.stringify([r.resource_attributes, r.resource_attribute_types, r.resource_dropped_attributes_count, r.resource_schema_url]);
    let res = this.resources.get(key);
    if (!res) {
      res = {
        attributes: attrs(r.resource_attributes, r.resource_attribute_types),
        droppedAttributesCount: Number(r.resource_dropped_attributes_count),
        schemaUrl: r.resource_schema_url,
        serviceName: r.resource_attributes['service.name'] ?? '',
      };
      this.resources.set(key, res);
    }
    return res;
  }

  scope(r: RawEnvelopeRow): Scope {
    const key = JSON.stringify([r.scope_name, r.scope_version, r.scope_attributes, r.scope_attribute_types, r.scope_dropped_attributes_count, r.scope_schema_url]);
    let sc = this.scopes.get(key);
    if (!sc) {
      sc = {
        name: r.scope_name,
        version: r.scope_version,
        attributes: attrs(r.scope_attributes, r.scope_attribute_types),
        droppedAttributesCount: Number(r.scope_dropped_attributes_count),
        schemaUrl: r.scope_schema_url,
      };
      this.scopes.set(key, sc);
    }
    return sc;
  }
}

function events(json: string): SpanEvent[] {
  const list = JSON.parse(json) as { timeUnixNano: string; name: string; attributes: unknown; droppedAttributesCount?: number }[];
  return list.map((e) => ({
    timeUnixNano: String(e.timeUnixNano),
    name: e.name,
    attributes: attributesFromJson(e.attributes ?? []),
    droppedAttributesCount: Number(e.droppedAttributesCount ?? 0),
  }));
}

function links(json: string): SpanLink[] {
  const list = JSON.parse(json) as { traceId: string; spanId: string; traceState?: string; attributes: unknown; droppedAttributesCount?: number; flags?: number }[];
  return list.map((l) => ({
    traceId: l.traceId,
    spanId: l.spanId,
    traceState: l.traceState ?? '',
    attributes: attributesFromJson(l.attributes ?? []),
    droppedAttributesCount: Number(l.droppedAttributesCount ?? 0),
    flags: Number(l.flags ?? 0),
  }));
}

export function rowsToSpans(rows: RawSpanRow[]): Span[] {
  const env = new Envelopes();
  return rows.map((r) => ({
    resource: env.resource(r),
    scope: env.scope(r),
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    traceState: r.trace_state,
    flags: Number(r.flags),
    name: r.name,
    kind: Number(r.kind),
    startTimeUnixNano: r.start_ns,
    endTimeUnixNano: r.end_ns,
    attributes: attrs(r.attributes, r.attribute_types),
    droppedAttributesCount: Number(r.dropped_attributes_count),
    events: events(r.events),
    droppedEventsCount: Number(r.dropped_events_count),
    links: links(r.links),
    droppedLinksCount: Number(r.dropped_links_count),
    statusCode: Number(r.status_code),
    statusMessage: r.status_message,
  }));
}

export function rowsToLogs(rows: RawLogRow[]): LogRecord[] {
  const env = new Envelopes();
  return rows.map((r) => ({
    resource: env.resource(r),
    scope: env.scope(r),
    timeUnixNano: r.time_ns,
    observedTimeUnixNano: r.observed_ns,
    severityNumber: Number(r.severity_number),
    severityText: r.severity_text,
    body: { value: r.body, type: r.body_type === 'string' ? undefined : (r.body_type as ValueType) },
    attributes: attrs(r.attributes, r.attribute_types),
    droppedAttributesCount: Number(r.dropped_attributes_count),
    flags: Number(r.flags),
    traceId: r.trace_id,
    spanId: r.span_id,
    eventName: r.event_name,
  }));
}
