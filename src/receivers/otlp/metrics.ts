// ExportMetricsServiceRequest decoders (protobuf and OTLP/JSON) into one flat record per data point
// (the MetricPoint of src/model/metrics.ts).
import { readAttr } from './anyvalue.js';
import { attributesFromJson, jsonDoubleIn, jsonInt } from '../../model/values.js';
import {
  arr,
  checkNanos,
  checkOptionalTraceId,
  checkSpanId,
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
import { DecodeError, type Decoded, type Decoding, type Resource, type Scope, addRejection, countItem, emptyAttributes, startDecoding } from '../../model/otlp.js';
import { Reader } from './wire.js';
import type { Exemplar, ExpBuckets, MetricDescriptor, MetricPoint, MetricType, NumberKind } from '../../model/metrics.js';

function newPoint(resource: Resource, scope: Scope, metric: MetricDescriptor): MetricPoint {
  return {
    resource,
    scope,
    metric,
    attributes: emptyAttributes(),
    startTimeUnixNano: '0',
    timeUnixNano: '0',
    flags: 0,
    valueType: '',
    value: 0,
    valueInt: '',
    count: '0',
    sum: null,
    min: null,
    max: null,
    bucketCounts: [],
    explicitBounds: [],
    scale: 0,
    zeroCount: '0',
    zeroThreshold: 0,
    positive: { offset: 0, bucketCounts: [] },
    negative: { offset: 0, bucketCounts: [] },
    quantiles: [],
    exemplars: [],
  };
}

function newExemplar(): Exemplar {
  return { filteredAttributes: emptyAttributes(), timeUnixNano: '0', valueType: '', value: 0, valueInt: '', traceId: '', spanId: '' };
}

/** Returns why a data point cannot be stored, or '' when it is valid. */
export function validatePoint(p: MetricPoint): string {
  return (
    checkNanos(p.startTimeUnixNano, 'start_time_unix_nano') ||
    checkNanos(p.timeUnixNano, 'time_unix_nano') ||
    p.exemplars
      .map((e) => checkNanos(e.timeUnixNano, 'exemplar time_unix_nano') || checkOptionalTraceId(e.traceId) || checkSpanId(e.spanId, 'exemplar span_id', true))
      .find(Boolean) ||
    ''
  );
}

type Out = Decoding<MetricPoint>;

/** Decodes one point; a point that fails is rejected alone, its siblings are kept. */
function collectPoint(out: Out, read: () => MetricPoint): void {
  countItem(out);
  let p: MetricPoint;
  try {
    p = read();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    addRejection(out.rejected, `malformed data point: ${e.message}`);
    return;
  }
  const reason = validatePoint(p);
  if (reason) addRejection(out.rejected, reason);
  else out.items.push(p);
}

/** A Metric whose own fields cannot be read: its points cannot be counted, so it counts as one. */
function collectMetric(out: Out, read: () => void): void {
  try {
    read();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    countItem(out);
    addRejection(out.rejected, `malformed metric: ${e.message}`);
  }
}

// ---------- protobuf ----------

export function decodeMetricsProto(buf: Buffer, maxItems?: number): Decoded<MetricPoint> {
  const out = startDecoding<MetricPoint>(maxItems);
  walkEnvelope(buf, (r, resource, scope) => collectMetric(out, () => readMetric(r, resource, scope, out)));
  return out;
}

// Metric.data oneof: field number -> type.
const DATA_FIELDS: Record<number, MetricType> = { 42: 'gauge', 58: 'sum', 74: 'histogram', 82: 'exponential_histogram', 90: 'summary' };

function readMetric(r: Reader, resource: Resource, scope: Scope, out: Out): void {
  const metric: MetricDescriptor = { name: '', description: '', unit: '', type: 'gauge', aggregationTemporality: 0, isMonotonic: false, metadata: emptyAttributes() };
  let data: Reader | undefined;
  let nMeta = 0;
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 10) metric.name = r.string();
    else if (tag === 18) metric.description = r.string();
    else if (tag === 26) metric.unit = r.string();
    else if (tag === 98) nMeta = readAttr(r, metric.metadata, nMeta);
    else if (DATA_FIELDS[tag]) {
      metric.type = DATA_FIELDS[tag];
      data = r.sub(); // oneof: the last one on the wire wins
    } else r.skip(tag & 7);
  }
  if (!data) return; // a metric without data has no points to store
  // Gauge/Sum/Histogram/ExponentialHistogram/Summary: data_points = 1, aggregation_temporality = 2, is_monotonic = 3.
  // Two passes, as in walkEnvelope: the descriptor's fields first (they may follow the points), then the
  // points one by one, so the item limit stops a metric of millions of points before they are all read.
  const start = data.pos;
  while (!data.done()) {
    const tag = data.varint32();
    if (tag === 16) metric.aggregationTemporality = data.varint32() | 0;
    else if (tag === 24) metric.isMonotonic = data.bool();
    else data.skip(tag & 7);
  }
  const readPoint = POINT_READERS[metric.type];
  data.pos = start;
  while (!data.done()) {
    const tag = data.varint32();
    if (tag !== 10) {
      data.skip(tag & 7);
      continue;
    }
    const pr = data.sub();
    collectPoint(out, () => readPoint(pr, newPoint(resource, scope, metric)));
  }
}

function zigzag32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}

// Repeated scalars may arrive packed (wire type 2, the proto3 default) or one per tag; parsers must accept both.
function packed(r: Reader, readOne: (s: Reader) => void): void {
  const s = r.sub();
  while (!s.done()) readOne(s);
}

function readNumberPoint(r: Reader, p: MetricPoint): MetricPoint {
  let nAttrs = 0; // data points have no dropped_attributes_count: past MAX_DECODED_ATTRIBUTES, keys are skipped
  while (!r.done()) {
    const tag = r.varint32();
    switch (tag) {
      case 58:
        nAttrs = readAttr(r, p.attributes, nAttrs);
        break;
      case 17:
        p.startTimeUnixNano = r.fixed64();
        break;
      case 25:
        p.timeUnixNano = r.fixed64();
        break;
      case 33:
        setDouble(p, r.double());
        break;
      case 49:
        setInt(p, String(r.sfixed64()));
        break;
      case 42:
        p.exemplars.push(readExemplar(r.sub()));
        break;
      case 64:
        p.flags = r.varint32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return p;
}

function readHistogramPoint(r: Reader, p: MetricPoint): MetricPoint {
  let nAttrs = 0; // data points have no dropped_attributes_count: past MAX_DECODED_ATTRIBUTES, keys are skipped
  while (!r.done()) {
    const tag = r.varint32();
    switch (tag) {
      case 74:
        nAttrs = readAttr(r, p.attributes, nAttrs);
        break;
      case 17:
        p.startTimeUnixNano = r.fixed64();
        break;
      case 25:
        p.timeUnixNano = r.fixed64();
        break;
      case 33:
        p.count = r.fixed64();
        break;
      case 41:
        p.sum = r.double();
        break;
      case 50:
        packed(r, (s) => p.bucketCounts.push(s.fixed64()));
        break;
      case 49:
        p.bucketCounts.push(r.fixed64());
        break;
      case 58:
        packed(r, (s) => p.explicitBounds.push(s.double()));
        break;
      case 57:
        p.explicitBounds.push(r.double());
        break;
      case 66:
        p.exemplars.push(readExemplar(r.sub()));
        break;
      case 80:
        p.flags = r.varint32();
        break;
      case 89:
        p.min = r.double();
        break;
      case 97:
        p.max = r.double();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return p;
}

function readExpHistogramPoint(r: Reader, p: MetricPoint): MetricPoint {
  let nAttrs = 0; // data points have no dropped_attributes_count: past MAX_DECODED_ATTRIBUTES, keys are skipped
  while (!r.done()) {
    const tag = r.varint32();
    switch (tag) {
      case 10:
        nAttrs = readAttr(r, p.attributes, nAttrs);
        break;
      case 17:
        p.startTimeUnixNano = r.fixed64();
        break;
      case 25:
        p.timeUnixNano = r.fixed64();
        break;
      case 33:
        p.count = r.fixed64();
        break;
      case 41:
        p.sum = r.double();
        break;
      case 48:
        p.scale = zigzag32(r.varint32());
        break;
      case 57:
        p.zeroCount = r.fixed64();
        break;
      case 66:
        p.positive = readBuckets(r.sub());
        break;
      case 74:
        p.negative = readBuckets(r.sub());
        break;
      case 80:
        p.flags = r.varint32();
        break;
      case 90:
        p.exemplars.push(readExemplar(r.sub()));
        break;
      case 97:
        p.min = r.double();
        break;
      case 105:
        p.max = r.double();
        break;
      case 113:
        p.zeroThreshold = r.double();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return p;
}

function readBuckets(r: Reader): ExpBuckets {
  const b: ExpBuckets = { offset: 0, bucketCounts: [] };
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 8) b.offset = zigzag32(r.varint32());
    else if (tag === 18) packed(r, (s) => b.bucketCounts.push(String(s.uint64())));
    else if (tag === 16) b.bucketCounts.push(String(r.uint64()));
    else r.skip(tag & 7);
  }
  return b;
}

function readSummaryPoint(r: Reader, p: MetricPoint): MetricPoint {
  let nAttrs = 0; // data points have no dropped_attributes_count: past MAX_DECODED_ATTRIBUTES, keys are skipped
  while (!r.done()) {
    const tag = r.varint32();
    switch (tag) {
      case 58:
        nAttrs = readAttr(r, p.attributes, nAttrs);
        break;
      case 17:
        p.startTimeUnixNano = r.fixed64();
        break;
      case 25:
        p.timeUnixNano = r.fixed64();
        break;
      case 33:
        p.count = r.fixed64();
        break;
      case 41:
        p.sum = r.double();
        break;
      case 50: {
        const q = r.sub();
        const vq = { quantile: 0, value: 0 };
        while (!q.done()) {
          const t = q.varint32();
          if (t === 9) vq.quantile = q.double();
          else if (t === 17) vq.value = q.double();
          else q.skip(t & 7);
        }
        p.quantiles.push(vq);
        break;
      }
      case 64:
        p.flags = r.varint32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  // Summary.sum is not optional on the wire; store it like the histograms' (present, maybe 0).
  p.sum ??= 0;
  return p;
}

const POINT_READERS: Record<MetricType, (r: Reader, p: MetricPoint) => MetricPoint> = {
  gauge: readNumberPoint,
  sum: readNumberPoint,
  histogram: readHistogramPoint,
  exponential_histogram: readExpHistogramPoint,
  summary: readSummaryPoint,
};

function readExemplar(r: Reader): Exemplar {
  const e = newExemplar();
  let n = 0;
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 58) n = readAttr(r, e.filteredAttributes, n);
    else if (tag === 17) e.timeUnixNano = r.fixed64();
    else if (tag === 25) setDouble(e, r.double());
    else if (tag === 49) setInt(e, String(r.sfixed64()));
    else if (tag === 34) e.spanId = r.hex();
    else if (tag === 42) e.traceId = r.hex();
    else r.skip(tag & 7);
  }
  return e;
}

function setDouble(target: { valueType: NumberKind; value: number; valueInt: string }, v: number): void {
  target.valueType = 'double';
  target.value = v;
  target.valueInt = '';
}

function setInt(target: { valueType: NumberKind; value: number; valueInt: string }, v: string): void {
  target.valueType = 'int';
  target.value = Number(v);
  target.valueInt = v;
}

// ---------- JSON ----------

const TEMPORALITY_NAMES: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

const JSON_TYPES: [string, MetricType][] = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
];

export function decodeMetricsJson(doc: unknown, maxItems?: number): Decoded<MetricPoint> {
  const out = startDecoding<MetricPoint>(maxItems);
  walkJsonEnvelope(doc, 'resourceMetrics', 'scopeMetrics', 'metrics', (item, resource, scope) =>
    collectMetric(out, () => {
      if (!isObj(item)) throw new DecodeError('metrics[] entries must be objects');
      metricFromJson(item, resource, scope, out);
    }),
  );
  return out;
}

function metricFromJson(o: Record<string, unknown>, resource: Resource, scope: Scope, out: Out): void {
  const metric: MetricDescriptor = {
    name: jsonStr(o, 'name'),
    description: jsonStr(o, 'description'),
    unit: jsonStr(o, 'unit'),
    type: 'gauge',
    aggregationTemporality: 0,
    isMonotonic: false,
    metadata: attributesFromJson(field(o, 'metadata'), 'metric.metadata'),
  };
  let data: Record<string, unknown> | undefined;
  for (const [key, type] of JSON_TYPES) {
    const v = field(o, key);
    if (v === undefined || v === null) continue;
    if (!isObj(v)) throw new DecodeError(`${key} must be an object`);
    metric.type = type;
    data = v;
  }
  if (!data) return;
  metric.aggregationTemporality = jsonEnum(data, 'aggregationTemporality', TEMPORALITY_NAMES);
  const mono = field(data, 'isMonotonic');
  if (mono !== undefined && mono !== null && typeof mono !== 'boolean') throw new DecodeError('isMonotonic must be a boolean');
  metric.isMonotonic = mono === true;
  for (const dp of arr(field(data, 'dataPoints'), 'dataPoints')) {
    collectPoint(out, () => {
      if (!isObj(dp)) throw new DecodeError('dataPoints[] entries must be objects');
      return pointFromJson(dp, newPoint(resource, scope, metric));
    });
  }
}

function optDouble(o: Record<string, unknown>, camel: string): number | null {
  const v = field(o, camel);
  return v === undefined || v === null ? null : jsonDoubleIn(v, camel);
}

function jsonUint64(v: unknown, what: string): string {
  const s = jsonInt(v, what);
  if (s.startsWith('-')) throw new DecodeError(`${what} must not be negative`);
  return s;
}

function jsonInt64(v: unknown, what: string): string {
  const s = jsonInt(v, what);
  if (BigInt(s) >= 1n << 63n) throw new DecodeError(`${what} is out of the int64 range`);
  return s;
}

function jsonNumberValue(o: Record<string, unknown>, target: { valueType: NumberKind; value: number; valueInt: string }): void {
  const d = field(o, 'asDouble');
  const i = field(o, 'asInt');
  if (i !== undefined && i !== null) setInt(target, jsonInt64(i, 'asInt'));
  else if (d !== undefined && d !== null) setDouble(target, jsonDoubleIn(d, 'asDouble'));
}

function jsonBuckets(v: unknown, what: string): ExpBuckets {
  if (v === undefined || v === null) return { offset: 0, bucketCounts: [] };
  if (!isObj(v)) throw new DecodeError(`${what} must be an object`);
  return {
    offset: jsonEnum(v, 'offset'), // an int32, which is what jsonEnum checks
    bucketCounts: arr(field(v, 'bucketCounts'), `${what}.bucketCounts`).map((c) => jsonUint64(c, `${what}.bucketCounts`)),
  };
}

function pointFromJson(o: Record<string, unknown>, p: MetricPoint): MetricPoint {
  p.attributes = attributesFromJson(field(o, 'attributes'), 'dataPoint.attributes');
  p.startTimeUnixNano = jsonNanos(o, 'startTimeUnixNano');
  p.timeUnixNano = jsonNanos(o, 'timeUnixNano');
  p.flags = jsonUint(o, 'flags');
  for (const e of arr(field(o, 'exemplars'), 'exemplars')) p.exemplars.push(exemplarFromJson(e));
  switch (p.metric.type) {
    case 'gauge':
    case 'sum':
      jsonNumberValue(o, p);
      break;
    case 'summary':
      p.count = jsonUint64(field(o, 'count') ?? 0, 'count');
      p.sum = optDouble(o, 'sum') ?? 0;
      for (const q of arr(field(o, 'quantileValues'), 'quantileValues')) {
        if (!isObj(q)) throw new DecodeError('quantileValues[] entries must be objects');
        p.quantiles.push({ quantile: optDouble(q, 'quantile') ?? 0, value: optDouble(q, 'value') ?? 0 });
      }
      break;
    default:
      p.count = jsonUint64(field(o, 'count') ?? 0, 'count');
      p.sum = optDouble(o, 'sum');
      p.min = optDouble(o, 'min');
      p.max = optDouble(o, 'max');
      if (p.metric.type === 'histogram') {
        p.bucketCounts = arr(field(o, 'bucketCounts'), 'bucketCounts').map((c) => jsonUint64(c, 'bucketCounts'));
        p.explicitBounds = arr(field(o, 'explicitBounds'), 'explicitBounds').map((b) => jsonDoubleIn(b, 'explicitBounds'));
      } else {
        p.scale = jsonEnum(o, 'scale');
        p.zeroCount = jsonUint64(field(o, 'zeroCount') ?? 0, 'zeroCount');
        p.zeroThreshold = optDouble(o, 'zeroThreshold') ?? 0;
        p.positive = jsonBuckets(field(o, 'positive'), 'positive');
        p.negative = jsonBuckets(field(o, 'negative'), 'negative');
      }
  }
  return p;
}

function exemplarFromJson(v: unknown): Exemplar {
  if (!isObj(v)) throw new DecodeError('exemplars[] entries must be objects');
  const e = newExemplar();
  e.filteredAttributes = attributesFromJson(field(v, 'filteredAttributes'), 'exemplar.filteredAttributes');
  e.timeUnixNano = jsonNanos(v, 'timeUnixNano');
  jsonNumberValue(v, e);
  e.traceId = jsonId(field(v, 'traceId'), 16);
  e.spanId = jsonId(field(v, 'spanId'), 8);
  return e;
}
