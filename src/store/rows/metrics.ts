// MetricPoint -> row of the metric_points table, encoded as a JSONCompactEachRow line.
import { attributesToJson } from '../../receivers/otlp/anyvalue.js';
import type { Attributes } from '../../receivers/otlp/model.js';
import type { Exemplar, MetricDescriptor, MetricPoint } from '../../receivers/otlp/metrics.js';
import type { TableRows } from '../writer.js';
import { contentHash } from './logs.js';
import { sessionIdOf } from './session.js';
import { ENVELOPE_COLUMNS, envelopeColumns } from './envelope.js';

export const METRIC_COLUMNS = [
  'project_id',
  'start_time',
  'time',
  'metric_name',
  'metric_description',
  'metric_unit',
  'metric_type',
  'aggregation_temporality',
  'is_monotonic',
  'metadata',
  'metadata_types',
  'service_name',
  'session_id',
  'model',
  'attributes',
  'attribute_types',
  'flags',
  'value_type',
  'value',
  'value_int',
  'count',
  'sum',
  'min',
  'max',
  'bucket_counts',
  'explicit_bounds',
  'scale',
  'zero_count',
  'zero_threshold',
  'positive_offset',
  'positive_bucket_counts',
  'negative_offset',
  'negative_bucket_counts',
  'quantiles',
  'quantile_values',
  'exemplars',
  ...ENVELOPE_COLUMNS,
  'point_hash',
] as const;

/** The model a point is about: agent CLIs use `model`, GenAI semantic conventions gen_ai.*.model. */
export function modelOf(attrs: Attributes): string {
  return attrs.values['model'] ?? attrs.values['gen_ai.response.model'] ?? attrs.values['gen_ai.request.model'] ?? '';
}

/** A Float64 for JSONCompactEachRow: JSON has no NaN/Infinity, ClickHouse reads them quoted; -0 kept. */
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

export function encodeMetricPoints(project: string, points: MetricPoint[]): TableRows {
  let body = '';
  const projectJson = JSON.stringify(project);
  for (const p of points) {
    const labels = JSON.stringify([p.resource.serviceName, sessionIdOf(p.attributes), modelOf(p.attributes), p.attributes.values, p.attributes.types, p.flags, p.valueType]);
    const content =
      `${p.startTimeUnixNano},${p.timeUnixNano},${metricColumns(p.metric)},${labels.slice(1, -1)},` +
      `${f64(p.value)},${p.valueInt || 'null'},${p.count},${nullableF64(p.sum)},${nullableF64(p.min)},${nullableF64(p.max)},` +
      `${uintArray(p.bucketCounts)},[${p.explicitBounds.map(f64).join(',')}],` +
      `${p.scale},${p.zeroCount},${f64(p.zeroThreshold)},${p.positive.offset},${uintArray(p.positive.bucketCounts)},${p.negative.offset},${uintArray(p.negative.bucketCounts)},` +
      `[${p.quantiles.map((q) => f64(q.quantile)).join(',')}],[${p.quantiles.map((q) => f64(q.value)).join(',')}],` +
      `${JSON.stringify(exemplarsJson(p.exemplars))},${envelopeColumns(p.resource, p.scope)}`;
    body += `[${projectJson},${content},${contentHash(content)}]\n`;
  }
  return { table: 'metric_points', columns: METRIC_COLUMNS, body, rows: points.length };
}
