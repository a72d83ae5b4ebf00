// Resource and scope columns, the same ten in the spans, logs and metric_points tables.
import type { Resource, Scope } from '../../model/otlp.js';
import { type ColumnSpec, type EncodedColumn, type EncodedMap, MapColumn, StringColumn, encodedMap, encodedString, fixedColumn } from '../native.js';

export const ENVELOPE_SPECS: readonly ColumnSpec[] = [
  { name: 'resource_attributes', type: 'Map(String, String)' },
  { name: 'resource_attribute_types', type: 'Map(String, String)' },
  { name: 'resource_dropped_attributes_count', type: 'UInt32' },
  { name: 'resource_schema_url', type: 'String' },
  { name: 'scope_name', type: 'String' },
  { name: 'scope_version', type: 'String' },
  { name: 'scope_attributes', type: 'Map(String, String)' },
  { name: 'scope_attribute_types', type: 'Map(String, String)' },
  { name: 'scope_dropped_attributes_count', type: 'UInt32' },
  { name: 'scope_schema_url', type: 'String' },
];

interface EncodedEnvelope {
  resourceAttributes: EncodedMap;
  resourceTypes: EncodedMap;
  resourceSchemaUrl: Buffer;
  scopeName: Buffer;
  scopeVersion: Buffer;
  scopeAttributes: EncodedMap;
  scopeTypes: EncodedMap;
  scopeSchemaUrl: Buffer;
}

// Items of one ScopeSpans (ScopeLogs, ScopeMetrics) share their resource and scope objects: encode those
// values once and copy the bytes on every row.
const envelopeCache = new WeakMap<Scope, EncodedEnvelope>();

function encodedEnvelope(resource: Resource, scope: Scope): EncodedEnvelope {
  let e = envelopeCache.get(scope);
  if (e === undefined) {
    e = {
      resourceAttributes: encodedMap(resource.attributes.values),
      resourceTypes: encodedMap(resource.attributes.types),
      resourceSchemaUrl: encodedString(resource.schemaUrl),
      scopeName: encodedString(scope.name),
      scopeVersion: encodedString(scope.version),
      scopeAttributes: encodedMap(scope.attributes.values),
      scopeTypes: encodedMap(scope.attributes.types),
      scopeSchemaUrl: encodedString(scope.schemaUrl),
    };
    envelopeCache.set(scope, e);
  }
  return e;
}

const projectBytes = new Map<string, Buffer>();

/** The encoded project id (a handful of projects, on every row of every table). */
export function projectValue(project: string): Buffer {
  let b = projectBytes.get(project);
  if (!b) {
    b = encodedString(project);
    if (projectBytes.size > 10_000) projectBytes.clear();
    projectBytes.set(project, b);
  }
  return b;
}

/** Builds the ten envelope columns of a block, one row per add(). */
export class EnvelopeColumns {
  private readonly resourceAttributes: MapColumn;
  private readonly resourceTypes: MapColumn;
  private readonly resourceDropped: Uint32Array;
  private readonly resourceSchemaUrl: StringColumn;
  private readonly scopeName: StringColumn;
  private readonly scopeVersion: StringColumn;
  private readonly scopeAttributes: MapColumn;
  private readonly scopeTypes: MapColumn;
  private readonly scopeDropped: Uint32Array;
  private readonly scopeSchemaUrl: StringColumn;
  private row = 0;

  constructor(rows: number) {
    this.resourceAttributes = new MapColumn(rows, rows * 64);
    this.resourceTypes = new MapColumn(rows, 64);
    this.resourceDropped = new Uint32Array(rows);
    this.resourceSchemaUrl = new StringColumn(rows);
    this.scopeName = new StringColumn(rows * 16);
    this.scopeVersion = new StringColumn(rows * 8);
    this.scopeAttributes = new MapColumn(rows, 64);
    this.scopeTypes = new MapColumn(rows, 64);
    this.scopeDropped = new Uint32Array(rows);
    this.scopeSchemaUrl = new StringColumn(rows);
  }

  add(resource: Resource, scope: Scope): void {
    const e = encodedEnvelope(resource, scope);
    const i = this.row++;
    this.resourceAttributes.encoded(e.resourceAttributes);
    this.resourceTypes.encoded(e.resourceTypes);
    this.resourceDropped[i] = resource.droppedAttributesCount;
    this.resourceSchemaUrl.sink.bytes(e.resourceSchemaUrl);
    this.scopeName.sink.bytes(e.scopeName);
    this.scopeVersion.sink.bytes(e.scopeVersion);
    this.scopeAttributes.encoded(e.scopeAttributes);
    this.scopeTypes.encoded(e.scopeTypes);
    this.scopeDropped[i] = scope.droppedAttributesCount;
    this.scopeSchemaUrl.sink.bytes(e.scopeSchemaUrl);
  }

  /** The ten columns, in ENVELOPE_SPECS order. */
  done(): EncodedColumn[] {
    return [
      this.resourceAttributes.done(),
      this.resourceTypes.done(),
      fixedColumn(this.resourceDropped),
      this.resourceSchemaUrl.done(),
      this.scopeName.done(),
      this.scopeVersion.done(),
      this.scopeAttributes.done(),
      this.scopeTypes.done(),
      fixedColumn(this.scopeDropped),
      this.scopeSchemaUrl.done(),
    ];
  }
}

/**
 * The same ten values as JSON text (without brackets), for the content hashes of log records and metric
 * points (rows/logs.ts): the hash of a record must not change with the storage format, or a retry that
 * spans an upgrade would be stored twice.
 */
const envelopeJsonCache = new WeakMap<Scope, string>();

export function envelopeJson(resource: Resource, scope: Scope): string {
  let s = envelopeJsonCache.get(scope);
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
    envelopeJsonCache.set(scope, s);
  }
  return s;
}
