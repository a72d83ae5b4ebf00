// MetricPoint -> row of the metric_points table, encoded into a Native block (src/store/native.ts).
import { attributesToJson } from '../../model/values.js';
import type { Attributes } from '../../model/otlp.js';
import type { Exemplar, MetricDescriptor, MetricPoint } from '../../model/metrics.js';
import {
  ArrayColumn,
  MapColumn,
  StringColumn,
  block,
  fixedColumn,
  nativeSchema,
  nullableColumn,
  pushDecimalU64,
  pushF64,
  setDecimalI64,
  setDecimalU64,
} from '../native.js';
import type { TableRows } from '../writer.js';
import { ENVELOPE_SPECS, EnvelopeColumns, envelopeJson, projectValue } from './envelope.js';
import { contentDigest, setDigest } from './logs.js';
import { sessionIdOf } from './session.js';

export const METRIC_POINTS = nativeSchema('metric_points', [
  { name: 'project_id', type: 'String' },
  { name: 'start_time', type: "DateTime64(9, 'UTC')" },
  { name: 'time', type: "DateTime64(9, 'UTC')" },
  { name: 'metric_name', type: 'String' },
  { name: 'metric_description', type: 'String' },
  { name: 'metric_unit', type: 'String' },
  { name: 'metric_type', type: 'String' },
  { name: 'aggregation_temporality', type: 'Int32' },
  { name: 'is_monotonic', type: 'Bool' },
  { name: 'metadata', type: 'Map(String, String)' },
  { name: 'metadata_types', type: 'Map(String, String)' },
  { name: 'service_name', type: 'String' },
  { name: 'session_id', type: 'String' },
  { name: 'model', type: 'String' },
  { name: 'attributes', type: 'Map(String, String)' },
  { name: 'attribute_types', type: 'Map(String, String)' },
  { name: 'flags', type: 'UInt32' },
  { name: 'value_type', type: 'String' },
  { name: 'value', type: 'Float64' },
  { name: 'value_int', type: 'Nullable(Int64)' },
  { name: 'count', type: 'UInt64' },
  { name: 'sum', type: 'Nullable(Float64)' },
  { name: 'min', type: 'Nullable(Float64)' },
  { name: 'max', type: 'Nullable(Float64)' },
  { name: 'bucket_counts', type: 'Array(UInt64)' },
  { name: 'explicit_bounds', type: 'Array(Float64)' },
  { name: 'scale', type: 'Int32' },
  { name: 'zero_count', type: 'UInt64' },
  { name: 'zero_threshold', type: 'Float64' },
  { name: 'positive_offset', type: 'Int32' },
  { name: 'positive_bucket_counts', type: 'Array(UInt64)' },
  { name: 'negative_offset', type: 'Int32' },
  { name: 'negative_bucket_counts', type: 'Array(UInt64)' },
  { name: 'quantiles', type: 'Array(Float64)' },
  { name: 'quantile_values', type: 'Array(Float64)' },
  { name: 'exemplars', type: 'String' },
  ...ENVELOPE_SPECS,
  { name: 'point_hash', type: 'UInt64' },
]);

/** The model a point is about: agent CLIs use `model`, GenAI semantic conventions gen_ai.*.model. */
export function modelOf(attrs: Attributes): string {
  return attrs.values['model'] ?? attrs.values['gen_ai.response.model'] ?? attrs.values['gen_ai.request.model'] ?? '';
}

/** A Float64 as JSON text (for the content hash): JSON has no NaN/Infinity, so those are quoted; -0 kept. */
function f64(v: number): string {
  if (Number.isFinite(v)) return Object.is(v, -0) ? '-0' : String(v);
  return Number.isNaN(v) ? '"nan"' : v > 0 ? '"inf"' : '"-inf"';
}

function nullableF64(v: number | null): string {
  return v === null ? 'null' : f64(v);
}

/** Arrays of validated decimal uint64 strings go in bare, like the timestamps. */
function uintArray(a: string[]): string {
  return `[${a.join(',')}]`;
}

function exemplarsJson(exemplars: Exemplar[]): string {
  if (exemplars.length === 0) return '[]';
  return JSON.stringify(
    exemplars.map((e) => ({
      filteredAttributes: attributesToJson(e.filteredAttributes),
      timeUnixNano: e.timeUnixNano,
      ...(e.valueType === 'int' ? { asInt: e.valueInt } : e.valueType === 'double' ? { asDouble: Number.isFinite(e.value) ? e.value : String(e.value) } : {}),
      ...(e.spanId ? { spanId: e.spanId } : {}),
      ...(e.traceId ? { traceId: e.traceId } : {}),
    })),
  );
}

// Points of one Metric share their descriptor: encode those columns once.
const metricCache = new WeakMap<MetricDescriptor, string>();

function metricColumns(m: MetricDescriptor): string {
  let s = metricCache.get(m);
  if (s === undefined) {
    s = JSON.stringify([m.name, m.description, m.unit, m.type, m.aggregationTemporality, m.isMonotonic, m.metadata.values, m.metadata.types]).slice(1, -1);
    metricCache.set(m, s);
  }
  return s;
}

/** The content hashed into point_hash: the point's JSON text as first stored (see contentDigest). */
function pointContent(p: MetricPoint, session: string, model: string): string {
  const labels = JSON.stringify([p.resource.serviceName, session, model, p.attributes.values, p.attributes.types, p.flags, p.valueType]);
  return (
    `${p.startTimeUnixNano},${p.timeUnixNano},${metricColumns(p.metric)},${labels.slice(1, -1)},` +
    `${f64(p.value)},${p.valueInt || 'null'},${p.count},${nullableF64(p.sum)},${nullableF64(p.min)},${nullableF64(p.max)},` +
    `${uintArray(p.bucketCounts)},[${p.explicitBounds.map(f64).join(',')}],` +
    `${p.scale},${p.zeroCount},${f64(p.zeroThreshold)},${p.positive.offset},${uintArray(p.positive.bucketCounts)},${p.negative.offset},${uintArray(p.negative.bucketCounts)},` +
    `[${p.quantiles.map((q) => f64(q.quantile)).join(',')}],[${p.quantiles.map((q) => f64(q.value)).join(',')}],` +
    `${JSON.stringify(exemplarsJson(p.exemplars))},${envelopeJson(p.resource, p.scope)}`
  );
}

class NullableF64 {
  readonly nulls: Uint8Array;
  readonly values: Float64Array;
  constructor(n: number) {
    this.nulls = new Uint8Array(n);
    this.values = new Float64Array(n);
  }
  set(i: number, v: number | null): void {
    if (v === null) this.nulls[i] = 1;
    else this.values[i] = v;
  }
  done() {
    return nullableColumn(this.nulls, this.values);
  }
}

function pushU64s(a: ArrayColumn, values: string[]): void {
  for (const v of values) pushDecimalU64(a.data, v);
  a.end(values.length);
}

function pushF64s(a: ArrayColumn, values: number[]): void {
  for (const v of values) pushF64(a.data, v);
  a.end(values.length);
}

export function encodeMetricPoints(project: string, points: MetricPoint[], sessionKeys: readonly string[]): TableRows {
  const n = points.length;
  const projectId = new StringColumn(n * 8);
  const startTime = new Uint32Array(n * 2);
  const time = new Uint32Array(n * 2);
  const name = new StringColumn(n * 32);
  const description = new StringColumn(n * 32);
  const unit = new StringColumn(n * 4);
  const type = new StringColumn(n * 6);
  const temporality = new Int32Array(n);
  const monotonic = new Uint8Array(n);
  const metadata = new MapColumn(n, 64);
  const metadataTypes = new MapColumn(n, 64);
  const serviceName = new StringColumn(n * 12);
  const sessionId = new StringColumn(n * 37);
  const model = new StringColumn(n * 16);
  const attributes = new MapColumn(n, n * 64);
  const attributeTypes = new MapColumn(n, n * 8);
  const flags = new Uint32Array(n);
  const valueType = new StringColumn(n * 7);
  const value = new Float64Array(n);
  const valueIntNulls = new Uint8Array(n);
  const valueInt = new Uint32Array(n * 2);
  const count = new Uint32Array(n * 2);
  const sum = new NullableF64(n);
  const min = new NullableF64(n);
  const max = new NullableF64(n);
  const bucketCounts = new ArrayColumn(n);
  const explicitBounds = new ArrayColumn(n);
  const scale = new Int32Array(n);
  const zeroCount = new Uint32Array(n * 2);
  const zeroThreshold = new Float64Array(n);
  const positiveOffset = new Int32Array(n);
  const positiveCounts = new ArrayColumn(n);
  const negativeOffset = new Int32Array(n);
  const negativeCounts = new ArrayColumn(n);
  const quantiles = new ArrayColumn(n);
  const quantileValues = new ArrayColumn(n);
  const exemplars = new StringColumn(n * 3);
  const envelope = new EnvelopeColumns(n);
  const hashes = new Uint32Array(n * 2);
  const project_ = projectValue(project);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    const m = p.metric;
    const session = sessionIdOf(p.attributes, sessionKeys);
    const model_ = modelOf(p.attributes);
    projectId.sink.bytes(project_);
    setDecimalU64(startTime, i, p.startTimeUnixNano);
    setDecimalU64(time, i, p.timeUnixNano);
    name.sink.str(m.name);
    description.sink.str(m.description);
    unit.sink.str(m.unit);
    type.sink.str(m.type);
    temporality[i] = m.aggregationTemporality;
    monotonic[i] = m.isMonotonic ? 1 : 0;
    metadata.map(m.metadata.values);
    metadataTypes.map(m.metadata.types);
    serviceName.sink.str(p.resource.serviceName);
    sessionId.sink.str(session);
    model.sink.str(model_);
    attributes.map(p.attributes.values);
    attributeTypes.map(p.attributes.types);
    flags[i] = p.flags;
    valueType.sink.str(p.valueType);
    value[i] = p.value;
    if (p.valueInt) setDecimalI64(valueInt, i, p.valueInt);
    else valueIntNulls[i] = 1;
    setDecimalU64(count, i, p.count);
    sum.set(i, p.sum);
    min.set(i, p.min);
    max.set(i, p.max);
    pushU64s(bucketCounts, p.bucketCounts);
    pushF64s(explicitBounds, p.explicitBounds);
    scale[i] = p.scale;
    setDecimalU64(zeroCount, i, p.zeroCount);
    zeroThreshold[i] = p.zeroThreshold;
    positiveOffset[i] = p.positive.offset;
    pushU64s(positiveCounts, p.positive.bucketCounts);
    negativeOffset[i] = p.negative.offset;
    pushU64s(negativeCounts, p.negative.bucketCounts);
    pushF64s(quantiles, p.quantiles.map((q) => q.quantile));
    pushF64s(quantileValues, p.quantiles.map((q) => q.value));
    exemplars.sink.str(exemplarsJson(p.exemplars));
    envelope.add(p.resource, p.scope);
    setDigest(hashes, i, contentDigest(pointContent(p, session, model_)));
  }
  return {
    schema: METRIC_POINTS,
    block: block(n, [
      projectId.done(),
      fixedColumn(startTime),
      fixedColumn(time),
      name.done(),
      description.done(),
      unit.done(),
      type.done(),
      fixedColumn(temporality),
      fixedColumn(monotonic),
      metadata.done(),
      metadataTypes.done(),
      serviceName.done(),
      sessionId.done(),
      model.done(),
      attributes.done(),
      attributeTypes.done(),
      fixedColumn(flags),
      valueType.done(),
      fixedColumn(value),
      nullableColumn(valueIntNulls, valueInt),
      fixedColumn(count),
      sum.done(),
      min.done(),
      max.done(),
      bucketCounts.done(),
      explicitBounds.done(),
      fixedColumn(scale),
      fixedColumn(zeroCount),
      fixedColumn(zeroThreshold),
      fixedColumn(positiveOffset),
      positiveCounts.done(),
      fixedColumn(negativeOffset),
      negativeCounts.done(),
      quantiles.done(),
      quantileValues.done(),
      exemplars.done(),
      ...envelope.done(),
      fixedColumn(hashes),
    ]),
  };
}
