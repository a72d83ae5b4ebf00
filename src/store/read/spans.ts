// Rebuilds OTLP/JSON from stored span rows: the raw view of the API and the round-trip tests.
import { attributesToJson } from '../../model/values.js';
import type { Attributes, ValueType } from '../../model/otlp.js';
import type { Store } from '../clickhouse.js';
import { MESSAGE_REF, expandAttributes, skeletonKeys } from '../rows/messages.js';

/** Columns to select for a lossless rebuild (timestamps as nanosecond strings). */
export const RAW_SPAN_SELECT = `
  toString(toUnixTimestamp64Nano(start_time)) AS start_ns, toString(toUnixTimestamp64Nano(end_time)) AS end_ns,
  trace_id, span_id, parent_span_id, trace_state, flags, name, kind, status_code, status_message,
  attributes, attribute_types, dropped_attributes_count, events, dropped_events_count, links, dropped_links_count,
  resource_attributes, resource_attribute_types, resource_dropped_attributes_count, resource_schema_url,
  scope_name, scope_version, scope_attributes, scope_attribute_types, scope_dropped_attributes_count, scope_schema_url`;

/** The resource and scope columns every raw table has (rows/envelope.ts writes them). */
export interface RawEnvelopeRow {
  resource_attributes: Record<string, string>;
  resource_attribute_types: Record<string, string>;
  resource_dropped_attributes_count: number;
  resource_schema_url: string;
  scope_name: string;
  scope_version: string;
  scope_attributes: Record<string, string>;
  scope_attribute_types: Record<string, string>;
  scope_dropped_attributes_count: number;
  scope_schema_url: string;
}

export interface RawSpanRow extends RawEnvelopeRow {
  start_ns: string;
  end_ns: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  trace_state: string;
  flags: number;
  name: string;
  kind: number;
  status_code: number;
  status_message: string;
  attributes: Record<string, string>;
  attribute_types: Record<string, string>;
  dropped_attributes_count: number;
  events: string;
  dropped_events_count: number;
  links: string;
  dropped_links_count: number;
}

export function attrs(values: Record<string, string>, types: Record<string, string>): Attributes {
  return { values, types: types as Record<string, ValueType> };
}

/** One span as OTLP/JSON (canonical: ints as decimal strings, lowercase hex ids). */
export function spanJson(r: RawSpanRow): Record<string, unknown> {
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    ...(r.parent_span_id ? { parentSpanId: r.parent_span_id } : {}),
    ...(r.trace_state ? { traceState: r.trace_state } : {}),
    flags: Number(r.flags),
    name: r.name,
    kind: Number(r.kind),
    startTimeUnixNano: r.start_ns,
    endTimeUnixNano: r.end_ns,
    attributes: attributesToJson(attrs(r.attributes, r.attribute_types)),
    droppedAttributesCount: Number(r.dropped_attributes_count),
    events: JSON.parse(r.events) as unknown[],
    droppedEventsCount: Number(r.dropped_events_count),
    links: JSON.parse(r.links) as unknown[],
    droppedLinksCount: Number(r.dropped_links_count),
    status: { code: Number(r.status_code), ...(r.status_message ? { message: r.status_message } : {}) },
  };
}

/** Groups rows back into an ExportTraceServiceRequest (resource -> scope -> spans). */
export function rowsToTracesRequest(rows: RawSpanRow[]): { resourceSpans: unknown[] } {
  const resources = new Map<string, { resource: unknown; schemaUrl: string; scopes: Map<string, { scope: unknown; schemaUrl: string; spans: unknown[] }> }>();
  for (const r of rows) {
    const resource = {
      attributes: attributesToJson(attrs(r.resource_attributes, r.resource_attribute_types)),
      droppedAttributesCount: Number(r.resource_dropped_attributes_count),
    };
    const rKey = JSON.stringify([resource, r.resource_schema_url]);
    let res = resources.get(rKey);
    if (!res) resources.set(rKey, (res = { resource, schemaUrl: r.resource_schema_url, scopes: new Map() }));
    const scope = {
      name: r.scope_name,
      version: r.scope_version,
      attributes: attributesToJson(attrs(r.scope_attributes, r.scope_attribute_types)),
      droppedAttributesCount: Number(r.scope_dropped_attributes_count),
    };
    const sKey = JSON.stringify([scope, r.scope_schema_url]);
    let sc = res.scopes.get(sKey);
    if (!sc) res.scopes.set(sKey, (sc = { scope, schemaUrl: r.scope_schema_url, spans: [] }));
    sc.spans.push(spanJson(r));
  }
  return {
    resourceSpans: [...resources.values()].map((res) => ({
      resource: res.resource,
      ...(res.schemaUrl ? { schemaUrl: res.schemaUrl } : {}),
      scopeSpans: [...res.scopes.values()].map((sc) => ({ scope: sc.scope, ...(sc.schemaUrl ? { schemaUrl: sc.schemaUrl } : {}), spans: sc.spans })),
    })),
  };
}

/**
 * Expands, in place, the message histories the spans table keeps content-addressed (src/store/rows/messages.ts):
 * every attribute typed MESSAGE_REF gets back the text that was sent. Every reader of span attributes calls this
 * on its rows. Returns how many attributes could not be expanded (a message not readable: a replica behind, or
 * deleted by hand); those keep the skeleton, still typed MESSAGE_REF, so they are never mistaken for what was sent.
 */
export async function restoreMessages(store: Store, project: string, rows: readonly { attributes: Record<string, string>; attribute_types: Record<string, string> }[]): Promise<number> {
  const keys = new Set<string>();
  for (const r of rows) {
    for (const k in r.attribute_types) if (r.attribute_types[k] === MESSAGE_REF) for (const key of skeletonKeys(r.attributes[k])) keys.add(key);
  }
  if (keys.size === 0) return 0;
  const content = new Map<string, string>();
  const list = [...keys];
  for (let i = 0; i < list.length; i += 10_000) {
    const found = await store.query<{ hash: string; content: string }>(
      'SELECT hash, any(content) AS content FROM messages WHERE project_id = {project:String} AND hash IN {keys:Array(String)} GROUP BY hash',
      { project, keys: list.slice(i, i + 10_000) },
    );
    for (const m of found) content.set(m.hash, m.content);
  }
  let missing = 0;
  for (const r of rows) missing += expandAttributes({ values: r.attributes, types: r.attribute_types }, (key) => content.get(key)).length;
  return missing;
}
