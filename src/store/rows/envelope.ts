// Resource and scope columns, the same ten in the spans, logs and metric_points tables.
import type { Resource, Scope } from '../../receivers/otlp/model.js';

/** Column names in the order envelopeColumns() encodes them. */
export const ENVELOPE_COLUMNS = [
  'resource_attributes',
  'resource_attribute_types',
  'resource_dropped_attributes_count',
  'resource_schema_url',
  'scope_name',
  'scope_version',
  'scope_attributes',
  'scope_attribute_types',
  'scope_dropped_attributes_count',
  'scope_schema_url',
] as const;

// Spans of one ScopeSpans share their resource and scope objects: encode those columns once.
const envelopeCache = new WeakMap<Scope, string>();

export function envelopeColumns(resource: Resource, scope: Scope): string {
  let s = envelopeCache.get(scope);
  if (s === undefined) {
    s = JSON.stringify([
      resource.attributes.values,
      resource.attributes.types,
      resource.droppedAttributesCount,
      resource.schemaUrl,
      scope.name,
      scope.version,
      scope.attributes.values,
      scope.attributes.types,
      scope.droppedAttributesCount,
      scope.schemaUrl,
    ]).slice(1, -1);
    envelopeCache.set(scope, s);
  }
  return s;
}
