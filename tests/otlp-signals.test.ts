// Traces over gRPC, logs and metrics over HTTP (JSON and protobuf) and gRPC, from real OpenTelemetry exporters and
// the Claude Code captures, against one running service; every check reads the rows back from ClickHouse.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, ValueType, context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter as OTLPLogExporterJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPLogExporterProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, InMemoryLogRecordExporter, LoggerProvider, type ReadableLogRecord, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationType, DataPointType, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import t from 'tap';
import { decodeLogsJson } from '../src/receivers/otlp/logs.js';
import { decodeMetricsJson } from '../src/receivers/otlp/metrics.js';
import { decodeTracesJson } from '../src/receivers/otlp/traces.js';
import { Reader } from '../src/receivers/otlp/wire.js';
import { grpcExport } from './helpers/grpc.js';
import { encodeLogs, encodeMetrics, encodeTraces } from './helpers/otlp-encode.js';
import { post, startTestService } from './helpers/service.js';
import { CLAUDE_CODE_FIXTURES } from './helpers/fixtures.js';

const svc = await startTestService();
t.teardown(() => svc.stop());

const JSON_CT = { 'content-type': 'application/json' };
const PROTO_CT = { 'content-type': 'application/x-protobuf' };
const nanos = (hr: [number, number]): string => (BigInt(hr[0]) * 1_000_000_000n + BigInt(hr[1])).toString();
const NS = (col: string) => `toString(toUnixTimestamp64Nano(${col}))`;

// ---------- expected storage form of SDK values (written independently of the decoders) ----------

type Tree = Record<string, unknown>;

function tree(v: unknown): Tree {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(tree) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: Object.entries(v).map(([key, value]) => ({ key, value: tree(value) })) } };
  return {};
}

/** [rendered value, type] as the store keeps an AnyValue. */
function stored(v: unknown): [string, string] {
  const tr = tree(v);
  if ('stringValue' in tr) return [tr.stringValue as string, 'string'];
  if ('boolValue' in tr) return [String(tr.boolValue), 'bool'];
  if ('intValue' in tr) return [tr.intValue as string, 'int'];
  if ('doubleValue' in tr) return [String(tr.doubleValue), 'double'];
  if ('bytesValue' in tr) return [tr.bytesValue as string, 'bytes'];
  if ('arrayValue' in tr) return [JSON.stringify(tr), 'array'];
  if ('kvlistValue' in tr) return [JSON.stringify(tr), 'kvlist'];
  return ['', 'empty'];
}

function storedAttrs(attrs: Record<string, unknown>): { values: Record<string, string>; types: Record<string, string> } {
  const values: Record<string, string> = {};
  const types: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const [value, type] = stored(v);
    values[k] = value;
    if (type !== 'string') types[k] = type;
  }
  return { values, types };
}

// ---------- traces: exporter-trace-otlp-grpc with gzip ----------

t.test('exporter-trace-otlp-grpc (gzip): every span stored as sent', async (t) => {
  const mem = new InMemorySpanExporter();
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${svc.grpcPort}`, compression: 'gzip' as never });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'tm-grpc-traces', 'host.cores': 2 }),
    spanProcessors: [new SimpleSpanProcessor(mem), new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('tm-tests', '0.0.1');
  const root = tracer.startSpan('invoke_agent demo', { kind: SpanKind.INTERNAL, attributes: { 'session.id': 's-grpc', turn: 1 } });
  const ctx = trace.setSpan(context.active(), root);
  const llm = tracer.startSpan('chat m', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.usage.input_tokens': 1234, temperature: 0.5, ok: true, tags: ['a', 'b'] } }, ctx);
  llm.addEvent('gen_ai.choice', { index: 0 });
  llm.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  llm.end();
  root.end();
  await provider.forceFlush();
  const sent = mem.getFinishedSpans(); // before shutdown, which empties the in-memory exporter
  await provider.shutdown();

  t.equal(sent.length, 2);
  const rows = await svc.rows<Record<string, unknown>>(
    `SELECT trace_id, span_id, parent_span_id, name, kind, ${NS('start_time')} AS start_ns, ${NS('end_time')} AS end_ns, status_code, status_message,
            attributes, attribute_types, events, scope_name, scope_version, resource_attributes, resource_attribute_types
     FROM spans FINAL WHERE service_name = 'tm-grpc-traces' ORDER BY start_time, span_id`,
  );
  const expected = sent
    .map((s) => {
      const a = storedAttrs(s.attributes);
      const r = storedAttrs(s.resource.attributes);
      return {
        trace_id: s.spanContext().traceId,
        span_id: s.spanContext().spanId,
        parent_span_id: s.parentSpanContext?.spanId ?? '',
        name: s.name,
        kind: s.kind + 1, // the API counts from INTERNAL = 0, OTLP from UNSPECIFIED = 0
        start_ns: nanos(s.startTime),
        end_ns: nanos(s.endTime),
        status_code: s.status.code,
        status_message: s.status.message ?? '',
        attributes: a.values,
        attribute_types: a.types,
        events: s.events.map((e) => ({ timeUnixNano: nanos(e.time), name: e.name })),
        scope_name: 'tm-tests',
        scope_version: '0.0.1',
        resource_attributes: r.values,
        resource_attribute_types: r.types,
      };
    })
    .sort((a, b) => a.start_ns.localeCompare(b.start_ns) || a.span_id.localeCompare(b.span_id));
  t.same(
    rows.map((r) => ({ ...r, events: (JSON.parse(r.events as string) as { timeUnixNano: string; name: string }[]).map(({ timeUnixNano, name }) => ({ timeUnixNano, name })) })),
    expected,
  );
});

// ---------- logs: exporter-logs-otlp-http (JSON) and exporter-logs-otlp-proto ----------

const LOG_TRACE = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

async function exportLogsWith(service: string, exporter: OTLPLogExporterJson | OTLPLogExporterProto): Promise<ReadableLogRecord[]> {
  const mem = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    processors: [new SimpleLogRecordProcessor({ exporter: mem }), new BatchLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('tm-logger', '1.0.0');
  const at = (i: number) => new Date(Date.UTC(2026, 10, 25, 6, 0, 0, i));
  const traced = trace.setSpanContext(context.active(), LOG_TRACE);
  logger.emit({ timestamp: at(1), eventName: 'tm.turn', severityNumber: 9, severityText: 'INFO', body: 'hello', context: traced, attributes: { 'session.id': 's-logs', n: 42, ratio: 0.25, ok: true, list: ['a', 1] } });
  logger.emit({ timestamp: at(2), body: { role: 'user', parts: [{ text: 'hi' }, 7, false], score: 1.5 }, attributes: { 'event.name': 'from_attribute', 'session.id': 's-logs' } });
  logger.emit({ timestamp: at(3), severityNumber: 17, severityText: 'ERROR', body: new Uint8Array([0, 1, 254, 255]), attributes: { nested: { deep: { deeper: [1.5] } } } });
  logger.emit({ timestamp: at(4), body: 12345678901, attributes: { big: 2 ** 53 - 1 } });
  logger.emit({ timestamp: at(5), body: -0.5 });
  logger.emit({ timestamp: at(6), eventName: 'no.body' });
  await provider.forceFlush();
  const sent = mem.getFinishedLogRecords(); // before shutdown, which empties the in-memory exporter
  await provider.shutdown();
  return sent;
}

const LOG_SELECT = `SELECT ${NS('time')} AS time_ns, ${NS('observed_time')} AS observed_ns, trace_id, span_id, flags, severity_number, severity_text,
  event_name, session_id, body, body_type, attributes, attribute_types, scope_name, scope_version, resource_attributes
  FROM logs FINAL`;

function expectedLogRow(l: ReadableLogRecord): Record<string, unknown> {
  const [body, bodyType] = stored(l.body);
  const a = storedAttrs(l.attributes);
  return {
    time_ns: nanos(l.hrTime),
    observed_ns: nanos(l.hrTimeObserved),
    trace_id: l.spanContext?.traceId ?? '',
    span_id: l.spanContext?.spanId ?? '',
    flags: l.spanContext?.traceFlags ?? 0,
    severity_number: l.severityNumber ?? 0,
    severity_text: l.severityText ?? '',
    event_name: l.eventName || a.values['event.name'] || '',
    session_id: a.values['session.id'] ?? '',
    body,
    body_type: bodyType,
    attributes: a.values,
    attribute_types: a.types,
    scope_name: 'tm-logger',
    scope_version: '1.0.0',
    resource_attributes: storedAttrs(l.resource.attributes).values,
  };
}

for (const [encoding, Exporter] of [
  ['json', OTLPLogExporterJson],
  ['protobuf', OTLPLogExporterProto],
] as const) {
  t.test(`exporter-logs-otlp-${encoding === 'json' ? 'http (JSON)' : 'proto'}: every log record stored as sent`, async (t) => {
    const service = `tm-logs-${encoding}`;
    const sent = await exportLogsWith(service, new Exporter({ url: `${svc.httpUrl}/v1/logs` }));
    t.equal(sent.length, 6);
    const rows = await svc.rows(`${LOG_SELECT} WHERE service_name = {s:String} ORDER BY time`, { s: service });
    t.same(rows, sent.map(expectedLogRow));
    // Spot checks that say what the comparison above covers.
    t.equal(rows[0].event_name, 'tm.turn', 'event_name field');
    t.equal(rows[1].event_name, 'from_attribute', 'event.name attribute when the field is unset');
    t.equal(rows[1].body_type, 'kvlist');
    t.equal(rows[2].body_type, 'bytes');
  });
}

t.test('logs are found by session id, trace id and event name through the indexed columns', async (t) => {
  const bySession = await svc.rows<{ n: string }>(`SELECT count() AS n FROM logs FINAL WHERE session_id = 's-logs'`);
  t.equal(bySession[0].n, '4', 'two records per exporter carry session.id');
  const byTrace = await svc.rows<{ event_name: string }>(`SELECT event_name FROM logs FINAL WHERE trace_id = {t:String}`, { t: LOG_TRACE.traceId });
  t.same(byTrace, [{ event_name: 'tm.turn' }, { event_name: 'tm.turn' }]);
  const byEvent = await svc.rows<{ n: string }>(`SELECT count() AS n FROM logs FINAL WHERE event_name = 'no.body' AND body_type = 'empty'`);
  t.equal(byEvent[0].n, '2');
});

// ---------- metrics: exporter-metrics-otlp-http, and the same data through the SDK's protobuf serializer ----------

const METRIC_SELECT = `SELECT metric_name, metric_description, metric_unit, metric_type, aggregation_temporality, is_monotonic,
  attributes, attribute_types, ${NS('start_time')} AS start_ns, ${NS('time')} AS time_ns, value_type, value, value_int,
  count, sum, min, max, bucket_counts, explicit_bounds, scale, zero_count, positive_offset, positive_bucket_counts,
  negative_offset, negative_bucket_counts, scope_name, session_id, model
  FROM metric_points FINAL`;

const SDK_TYPES: Record<DataPointType, string> = {
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponential_histogram',
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.SUM]: 'sum',
};

function expectedMetricRows(rm: ResourceMetrics): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const sm of rm.scopeMetrics) {
    for (const m of sm.metrics) {
      const type = SDK_TYPES[m.dataPointType];
      for (const dp of m.dataPoints) {
        const a = storedAttrs(dp.attributes);
        const row: Record<string, unknown> = {
          metric_name: m.descriptor.name,
          metric_description: m.descriptor.description,
          metric_unit: m.descriptor.unit,
          metric_type: type,
          aggregation_temporality: type === 'gauge' ? 0 : m.aggregationTemporality + 1, // SDK DELTA=0/CUMULATIVE=1; OTLP 1/2
          is_monotonic: m.dataPointType === DataPointType.SUM ? m.isMonotonic : false,
          attributes: a.values,
          attribute_types: a.types,
          start_ns: nanos(dp.startTime),
          time_ns: nanos(dp.endTime),
          value_type: '',
          value: 0,
          value_int: null,
          count: '0',
          sum: null,
          min: null,
          max: null,
          bucket_counts: [],
          explicit_bounds: [],
          scale: 0,
          zero_count: '0',
          positive_offset: 0,
          positive_bucket_counts: [],
          negative_offset: 0,
          negative_bucket_counts: [],
          scope_name: sm.scope.name,
          session_id: a.values['session.id'] ?? '',
          model: a.values['model'] ?? '',
        };
        const v = dp.value as never as Record<string, never> | number;
        if (typeof v === 'number') {
          const isInt = m.descriptor.valueType === ValueType.INT;
          Object.assign(row, { value_type: isInt ? 'int' : 'double', value: v, value_int: isInt ? String(v) : null });
        } else {
          Object.assign(row, { count: String(v.count), sum: v.sum ?? null, min: v.min ?? null, max: v.max ?? null });
          if (type === 'histogram') {
            const b = v.buckets as { boundaries: number[]; counts: number[] };
            Object.assign(row, { bucket_counts: b.counts.map(String), explicit_bounds: b.boundaries });
          } else {
            const pos = v.positive as { offset: number; bucketCounts: number[] };
            const neg = v.negative as { offset: number; bucketCounts: number[] };
            Object.assign(row, {
              scale: v.scale,
              zero_count: String(v.zeroCount),
              positive_offset: pos.offset,
              positive_bucket_counts: pos.bucketCounts.map(String),
              negative_offset: neg.offset,
              negative_bucket_counts: neg.bucketCounts.map(String),
            });
          }
        }
        out.push(row);
      }
    }
  }
  return out.sort(byMetricRow);
}

function byMetricRow(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a.metric_name).localeCompare(String(b.metric_name)) || JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes));
}

t.test('exporter-metrics-otlp-http: every data point stored as sent; the SDK protobuf encoding stores the same over gRPC', async (t) => {
  const exporter = new OTLPMetricExporter({ url: `${svc.httpUrl}/v1/metrics` });
  const sent: ResourceMetrics[] = [];
  const exportOriginal = exporter.export.bind(exporter);
  exporter.export = (metrics, done) => {
    sent.push(metrics);
    exportOriginal(metrics, done);
  };
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'tm-metrics-json' }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    views: [{ instrumentName: 'tm.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('tm-meter', '2.0.0');
  const tokens = meter.createCounter('tm.token.usage', { unit: 'tokens', description: 'tokens', valueType: ValueType.INT });
  tokens.add(1200, { 'session.id': 's-m', model: 'claude-x', type: 'input' });
  tokens.add(300, { 'session.id': 's-m', model: 'claude-x', type: 'output' });
  meter.createCounter('tm.cost.usage', { unit: 'USD' }).add(0.0231, { 'session.id': 's-m', model: 'claude-x' });
  const queue = meter.createUpDownCounter('tm.queue', { valueType: ValueType.INT });
  queue.add(5);
  queue.add(-7);
  meter.createGauge('tm.temperature').record(-12.5, { room: 'a' });
  meter.createHistogram('tm.latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } }).record(5);
  const exp = meter.createHistogram('tm.exp');
  for (const v of [0, 1, 2, 4, 1000]) exp.record(v);
  await provider.forceFlush();
  // Shutdown collects once more; keep that second (cumulative, later) export out of the comparison.
  exporter.export = (_metrics, done) => done({ code: ExportResultCode.SUCCESS });
  await provider.shutdown();

  t.equal(sent.length, 1, 'one export');
  const rows = (await svc.rows(`${METRIC_SELECT} WHERE service_name = 'tm-metrics-json'`)).sort(byMetricRow);
  const expected = expectedMetricRows(sent[0]);
  t.equal(expected.length, 7);
  t.same(rows, expected);

  // The SDK's own protobuf encoder (independent of tests/helpers/otlp-encode.ts) over gRPC: same rows.
  const rm = sent[0];
  const asProto: ResourceMetrics = { ...rm, resource: resourceFromAttributes({ 'service.name': 'tm-metrics-grpc' }) };
  const res = await grpcExport(svc.grpcPort, 'metrics', Buffer.from(ProtobufMetricsSerializer.serializeRequest(asProto)!));
  t.equal(res.code, grpc.status.OK, res.details);
  const protoRows = (await svc.rows(`${METRIC_SELECT} WHERE service_name = 'tm-metrics-grpc'`)).sort(byMetricRow);
  t.same(protoRows, expected);
});

// Summaries, negative exponential buckets, exemplars and exact int64 come from no JS SDK: a hand-written document,
// posted as JSON and re-encoded as protobuf, must store identical rows.
t.test('summary, exponential negative buckets, exemplars, int64 and non-finite values: JSON and protobuf store the same', async (t) => {
  const doc = (service: string) => ({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeMetrics: [
          {
            scope: { name: 'hand' },
            metrics: [
              { name: 'tm.rpc', unit: 's', summary: { dataPoints: [{ timeUnixNano: '1795582931000000000', count: '10', sum: 2.5, quantileValues: [{ quantile: 0, value: 0.01 }, { quantile: 0.99, value: 0.9 }, { quantile: 1, value: 1.2 }] }] } },
              {
                name: 'tm.delta',
                exponentialHistogram: {
                  aggregationTemporality: 1,
                  dataPoints: [
                    {
                      startTimeUnixNano: '1795582930000000000',
                      timeUnixNano: '1795582931000000000',
                      count: '9',
                      sum: -3.5,
                      scale: -2,
                      zeroCount: '1',
                      zeroThreshold: 0.001,
                      positive: { offset: -3, bucketCounts: ['2', '3'] },
                      negative: { offset: 4, bucketCounts: ['1', '0', '2'] },
                      min: -40,
                      max: 9,
                      flags: 0,
                    },
                  ],
                },
              },
              {
                name: 'tm.exact',
                metadata: [{ key: 'origin', value: { stringValue: 'hand' } }],
                gauge: {
                  dataPoints: [
                    {
                      timeUnixNano: '1795582931000000000',
                      asInt: '-9223372036854775808',
                      attributes: [{ key: 'k', value: { stringValue: 'min' } }],
                      exemplars: [{ timeUnixNano: '1795582930500000000', asInt: '9007199254740993', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', filteredAttributes: [{ key: 'user', value: { stringValue: 'u1' } }] }],
                    },
                    { timeUnixNano: '1795582931000000000', asDouble: 'NaN', attributes: [{ key: 'k', value: { stringValue: 'nan' } }], flags: 1 },
                    { timeUnixNano: '1795582931000000000', asDouble: '-Infinity', attributes: [{ key: 'k', value: { stringValue: 'ninf' } }] },
                  ],
                },
              },
              { name: 'tm.hist', histogram: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', dataPoints: [{ timeUnixNano: '1795582931000000000', count: '3', bucketCounts: ['1', '2', '0'], explicitBounds: [0.5, 1] }] } },
            ],
          },
        ],
      },
    ],
  });
  t.equal((await post(`${svc.httpUrl}/v1/metrics`, JSON.stringify(doc('tm-hand-json')), JSON_CT)).status, 200);
  const reencoded = encodeMetrics(decodeMetricsJson(doc('tm-hand-proto')).items);
  t.equal((await post(`${svc.httpUrl}/v1/metrics`, reencoded, PROTO_CT)).status, 200);

  const select = `SELECT metric_name, metric_type, aggregation_temporality, metadata, attributes, ${NS('start_time')} AS start_ns, ${NS('time')} AS time_ns,
    flags, value_type, toString(value) AS value, value_int, count, toString(sum) AS sum, min, max, bucket_counts, explicit_bounds, scale, zero_count,
    zero_threshold, positive_offset, positive_bucket_counts, negative_offset, negative_bucket_counts, quantiles, quantile_values, exemplars
    FROM metric_points FINAL WHERE service_name = {s:String} ORDER BY metric_name, attributes['k']`;
  const fromJson = await svc.rows<Record<string, unknown>>(select, { s: 'tm-hand-json' });
  t.same(await svc.rows(select, { s: 'tm-hand-proto' }), fromJson);
  t.equal(fromJson.length, 6);
  const byName = (name: string, k = '') => fromJson.find((r) => r.metric_name === name && ((r.attributes as Record<string, string>).k ?? '') === k)!;
  t.match(byName('tm.rpc'), { metric_type: 'summary', count: '10', sum: '2.5', quantiles: [0, 0.99, 1], quantile_values: [0.01, 0.9, 1.2] });
  t.match(byName('tm.delta'), {
    metric_type: 'exponential_histogram',
    aggregation_temporality: 1,
    scale: -2,
    zero_count: '1',
    zero_threshold: 0.001,
    positive_offset: -3,
    positive_bucket_counts: ['2', '3'],
    negative_offset: 4,
    negative_bucket_counts: ['1', '0', '2'],
    min: -40,
    max: 9,
    sum: '-3.5',
  });
  t.match(byName('tm.exact', 'min'), { value_type: 'int', value_int: '-9223372036854775808', metadata: { origin: 'hand' } });
  t.same(JSON.parse(byName('tm.exact', 'min').exemplars as string), [
    { filteredAttributes: [{ key: 'user', value: { stringValue: 'u1' } }], timeUnixNano: '1795582930500000000', asInt: '9007199254740993', spanId: 'b7ad6b7169203331', traceId: '0af7651916cd43dd8448eb211c80319c' },
  ]);
  t.match(byName('tm.exact', 'nan'), { value_type: 'double', value: 'nan', value_int: null, flags: 1 });
  t.match(byName('tm.exact', 'ninf'), { value: '-inf' });
  t.match(byName('tm.hist'), { aggregation_temporality: 2, bucket_counts: ['1', '2', '0'], explicit_bounds: [0.5, 1], sum: null });
});

// ---------- the Claude Code captures: HTTP JSON, HTTP protobuf, gRPC ----------

const FIXTURES = CLAUDE_CODE_FIXTURES;
const SCENARIOS = ['tools', 'subagent', 'compaction'];
const load = (scenario: string, signal: string): Record<string, unknown> => JSON.parse(readFileSync(`${FIXTURES}/${scenario}/${signal}.json`, 'utf8'));

/**
 * The capture, marked with the transport it is sent over (a resource attribute) and with trace ids made unique per
 * transport, so the three copies are three sets of rows rather than retries that collapse into one.
 */
function variant(doc: unknown, transport: string, prefix: string): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'traceId' && typeof x === 'string' ? prefix + x.slice(2) : walk(x);
    if (out.resource && typeof out.resource === 'object') {
      const r = out.resource as { attributes: unknown[] };
      r.attributes = [...r.attributes, { key: 'test.transport', value: { stringValue: transport } }];
    }
    return out;
  };
  return walk(doc);
}

const count = (items: Record<string, unknown>, [resourceKey, scopeKey, itemKey]: readonly string[]): number =>
  (items[resourceKey] as Record<string, unknown>[]).reduce(
    (n, rs) => n + (rs[scopeKey] as Record<string, unknown>[]).reduce((m, ss) => m + ((ss[itemKey] as unknown[]) ?? []).length, 0),
    0,
  );

const SIGNALS = [
  { signal: 'traces', table: 'spans', keys: ['resourceSpans', 'scopeSpans', 'spans'], decode: decodeTracesJson, encode: encodeTraces },
  { signal: 'logs', table: 'logs', keys: ['resourceLogs', 'scopeLogs', 'logRecords'], decode: decodeLogsJson, encode: encodeLogs },
  { signal: 'metrics', table: 'metric_points', keys: ['resourceMetrics', 'scopeMetrics', 'metrics'], decode: decodeMetricsJson, encode: encodeMetrics },
] as const;

const TRANSPORTS = [
  { transport: 'http-json', prefix: 'a1' },
  { transport: 'http-protobuf', prefix: 'a2' },
  { transport: 'grpc', prefix: 'a3' },
] as const;

// Per-table columns that must be equal whichever way the capture travelled (trace ids differ by design).
const COMPARE: Record<string, string> = {
  spans: `span_id, parent_span_id, name, kind, ${NS('start_time')}, ${NS('end_time')}, status_code, attributes, attribute_types, events, links, flags, scope_name`,
  logs: `${NS('time')}, ${NS('observed_time')}, span_id, flags, severity_number, event_name, session_id, body, body_type, attributes, attribute_types, scope_name`,
  metric_points: `metric_name, metric_unit, metric_type, aggregation_temporality, is_monotonic, ${NS('start_time')}, ${NS('time')}, session_id, model, attributes, value_type, value, scope_name`,
};

t.test('Claude Code captures: stored completely over HTTP JSON, HTTP protobuf and gRPC', async (t) => {
  const expected: Record<string, number> = { spans: 0, logs: 0, metric_points: 0 };
  for (const scenario of SCENARIOS) {
    for (const { signal, table, keys, decode, encode } of SIGNALS) {
      const base = load(scenario, signal);
      if (signal === 'metrics') {
        // Data points, not metrics, are the stored unit.
        expected[table] += decode(base).items.length;
      } else expected[table] += count(base, keys);
      for (const { transport, prefix } of TRANSPORTS) {
        const doc = variant(base, transport, prefix);
        const what = `${scenario}/${signal} over ${transport}`;
        if (transport === 'http-json') {
          const res = await post(`${svc.httpUrl}/v1/${signal}`, JSON.stringify(doc), JSON_CT);
          t.equal(res.status, 200, what);
          t.equal(res.body.toString(), '{}', `${what}: full success`);
          continue;
        }
        const decoded = decode(doc);
        t.same(decoded.rejected, [], `${what}: the capture decodes without rejections`);
        const body = (encode as (items: unknown[]) => Buffer)(decoded.items);
        if (transport === 'http-protobuf') {
          const res = await post(`${svc.httpUrl}/v1/${signal}`, body, PROTO_CT);
          t.equal(res.status, 200, what);
          t.equal(res.body.length, 0, `${what}: full success`);
        } else {
          const res = await grpcExport(svc.grpcPort, signal, body, { gzip: true });
          t.equal(res.code, grpc.status.OK, `${what}: ${res.details}`);
          t.equal(res.response?.length, 0, `${what}: full success`);
        }
      }
    }
  }
  t.same(expected, { spans: 38, logs: 51, metric_points: 31 }, 'the captures hold this many records');
  for (const table of Object.keys(expected)) {
    const counts = await svc.rows<{ transport: string; n: string }>(
      `SELECT resource_attributes['test.transport'] AS transport, toString(count()) AS n FROM ${table} FINAL
       WHERE transport != '' GROUP BY transport ORDER BY transport`,
    );
    t.same(counts, TRANSPORTS.map(({ transport }) => ({ transport, n: String(expected[table]) })).sort((a, b) => a.transport.localeCompare(b.transport)), `${table}: every record stored once per transport`);
    const contents = await Promise.all(
      TRANSPORTS.map(({ transport }) =>
        svc.rows(`SELECT ${COMPARE[table]} FROM ${table} FINAL WHERE resource_attributes['test.transport'] = {t:String} ORDER BY ALL`, { t: transport }),
      ),
    );
    t.same(contents[1], contents[0], `${table}: protobuf rows equal the JSON rows`);
    t.same(contents[2], contents[0], `${table}: gRPC rows equal the JSON rows`);
  }
});

t.test('Claude Code captures: logs keyed by event.name and session; token usage per session, model and type', async (t) => {
  const events = new Map<string, number>();
  const tokens = new Map<string, number>();
  for (const scenario of SCENARIOS) {
    for (const rl of load(scenario, 'logs').resourceLogs as { scopeLogs: { logRecords: { attributes: { key: string; value: { stringValue?: string } }[] }[] }[] }[]) {
      for (const lr of rl.scopeLogs.flatMap((s) => s.logRecords)) {
        const a = Object.fromEntries(lr.attributes.map((kv) => [kv.key, kv.value.stringValue]));
        const key = `${a['session.id']}|${a['event.name']}`;
        events.set(key, (events.get(key) ?? 0) + 1);
      }
    }
    for (const rm of load(scenario, 'metrics').resourceMetrics as { scopeMetrics: { metrics: { name: string; sum?: { dataPoints: { asDouble: number; attributes: { key: string; value: { stringValue?: string } }[] }[] } }[] }[] }[]) {
      for (const m of rm.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.name === 'claude_code.token.usage')) {
        for (const dp of m.sum!.dataPoints) {
          const a = Object.fromEntries(dp.attributes.map((kv) => [kv.key, kv.value.stringValue]));
          const key = `${a['session.id']}|${a.model}|${a.type}`;
          tokens.set(key, (tokens.get(key) ?? 0) + dp.asDouble);
        }
      }
    }
  }
  const eventRows = await svc.rows<{ k: string; n: string }>(
    `SELECT session_id || '|' || event_name AS k, toString(count()) AS n FROM logs FINAL
     WHERE resource_attributes['test.transport'] = 'http-json' GROUP BY k ORDER BY k`,
  );
  t.same(eventRows, [...events].map(([k, n]) => ({ k, n: String(n) })).sort((a, b) => a.k.localeCompare(b.k)));
  t.ok(eventRows.some((r) => r.k.endsWith('|api_request')), 'Claude Code event names come from the event.name attribute');

  const tokenRows = await svc.rows<{ k: string; tokens: number }>(
    `SELECT session_id || '|' || model || '|' || attributes['type'] AS k, sum(value) AS tokens FROM metric_points FINAL
     WHERE metric_name = 'claude_code.token.usage' AND resource_attributes['test.transport'] = 'grpc' GROUP BY k ORDER BY k`,
  );
  t.same(tokenRows, [...tokens].map(([k, v]) => ({ k, tokens: v })).sort((a, b) => a.k.localeCompare(b.k)));
});

// ---------- retries, partial success, status codes ----------

function logsDoc(service: string, records: Record<string, unknown>[]): Record<string, unknown> {
  return { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ scope: { name: 's' }, logRecords: records }] }] };
}

t.test('a re-sent log record collapses into one row, through either encoding; distinct records with the same time do not', async (t) => {
  const rec = (n: number) => ({ timeUnixNano: '1795582931000000000', body: { stringValue: 'same' }, attributes: [{ key: 'n', value: { intValue: n } }] });
  const doc = logsDoc('tm-retry', [rec(1), rec(2)]);
  t.equal((await post(`${svc.httpUrl}/v1/logs`, JSON.stringify(doc), JSON_CT)).status, 200);
  t.equal((await post(`${svc.httpUrl}/v1/logs`, JSON.stringify(doc), JSON_CT)).status, 200);
  t.equal((await grpcExport(svc.grpcPort, 'logs', encodeLogs(decodeLogsJson(doc).items))).code, grpc.status.OK);
  const rows = await svc.rows<{ n: string }>(`SELECT attributes['n'] AS n FROM logs FINAL WHERE service_name = 'tm-retry' ORDER BY n`);
  t.same(rows, [{ n: '1' }, { n: '2' }]);
});

/** ExportXServiceResponse.partial_success {1: rejected count, 2: error_message}. */
function partialSuccess(buf: Buffer): { rejected: string; message: string } {
  const out = { rejected: '0', message: '' };
  const r = new Reader(buf);
  while (!r.done()) {
    const tag = r.varint32();
    if (tag !== 10) {
      r.skip(tag & 7);
      continue;
    }
    const ps = r.sub();
    while (!ps.done()) {
      const t = ps.varint32();
      if (t === 8) out.rejected = String(ps.int64());
      else if (t === 18) out.message = ps.string();
      else ps.skip(t & 7);
    }
  }
  return out;
}

t.test('log records with wrong-length ids are rejected alone: partial success over HTTP and gRPC', async (t) => {
  const good = { timeUnixNano: '1795582931000000000', body: { stringValue: 'ok' }, traceId: LOG_TRACE.traceId, spanId: LOG_TRACE.spanId };
  const doc = logsDoc('tm-partial-http', [good, { ...good, traceId: 'abcd' }, { ...good, spanId: '0102' }]);
  const res = await post(`${svc.httpUrl}/v1/logs`, JSON.stringify(doc), JSON_CT);
  t.equal(res.status, 200);
  const body = JSON.parse(res.body.toString()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
  t.equal(body.partialSuccess.rejectedLogRecords, '2');
  t.match(body.partialSuccess.errorMessage, /trace_id must be 16 bytes/);

  const items = decodeLogsJson(logsDoc('tm-partial-grpc', [good, good, good])).items;
  items[1] = { ...items[1], traceId: 'abcd', body: { value: 'bad', type: undefined } };
  const g = await grpcExport(svc.grpcPort, 'logs', encodeLogs(items));
  t.equal(g.code, grpc.status.OK);
  t.same(partialSuccess(g.response!), { rejected: '1', message: '1 rejected: trace_id must be 16 bytes' });
  const stored = await svc.rows<{ service_name: string; n: string }>(
    `SELECT service_name, toString(count()) AS n FROM logs FINAL WHERE service_name LIKE 'tm-partial-%' GROUP BY service_name ORDER BY service_name`,
  );
  t.same(stored, [
    { service_name: 'tm-partial-grpc', n: '1' }, // the two good records are one record re-sent
    { service_name: 'tm-partial-http', n: '1' },
  ]);
});

t.test('data points with invalid timestamps are rejected alone: rejectedDataPoints over HTTP and gRPC', async (t) => {
  const doc = {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'tm-partial-metrics' } }] },
        scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: '1795582931000000000', asDouble: 1 }, { timeUnixNano: '-5', asDouble: 2 }] } }] }],
      },
    ],
  };
  const res = await post(`${svc.httpUrl}/v1/metrics`, JSON.stringify(doc), JSON_CT);
  t.equal(res.status, 200);
  t.match(JSON.parse(res.body.toString()), { partialSuccess: { rejectedDataPoints: '1', errorMessage: /time_unix_nano must not be negative/ } });

  const items = decodeMetricsJson({ ...doc, resourceMetrics: [{ ...doc.resourceMetrics[0], scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: '1795582931000000000', asDouble: 1 }, { timeUnixNano: '1795582931000000000', asDouble: 2 }] } }] }] }] }).items;
  items[1].exemplars.push({ filteredAttributes: { values: {}, types: {} }, timeUnixNano: '0', valueType: '', value: 0, valueInt: '', traceId: '', spanId: '01' });
  const g = await grpcExport(svc.grpcPort, 'metrics', encodeMetrics(items));
  t.equal(g.code, grpc.status.OK);
  t.same(partialSuccess(g.response!), { rejected: '1', message: '1 rejected: exemplar span_id must be 8 bytes' });
});

t.test('undecodable requests: INVALID_ARGUMENT over gRPC, 400 over HTTP, for every signal', async (t) => {
  // A length prefix that runs past the end of the message.
  const garbage = Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]);
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    const g = await grpcExport(svc.grpcPort, signal, garbage);
    t.equal(g.code, grpc.status.INVALID_ARGUMENT, `${signal} over gRPC`);
    t.match(g.details, /cannot decode the OTLP protobuf/);
    const h = await post(`${svc.httpUrl}/v1/${signal}`, garbage, PROTO_CT);
    t.equal(h.status, 400, `${signal} over HTTP`);
  }
  // Every item rejected is no partial success: the request is refused.
  const allBad = encodeLogs([{ ...decodeLogsJson(logsDoc('tm-bad', [{ body: { stringValue: 'x' } }])).items[0], spanId: '01' }]);
  t.equal((await grpcExport(svc.grpcPort, 'logs', allBad)).code, grpc.status.INVALID_ARGUMENT);
  t.equal((await post(`${svc.httpUrl}/v1/logs`, allBad, PROTO_CT)).status, 400);
});

// Last: it closes the store under the running service.
t.test('the store is down: UNAVAILABLE with retry-after over gRPC, 503 over HTTP', async (t) => {
  const body = encodeLogs(decodeLogsJson(logsDoc('tm-down', [{ timeUnixNano: '1795582931000000000', body: { stringValue: 'x' } }])).items);
  t.equal((await grpcExport(svc.grpcPort, 'logs', body)).code, grpc.status.OK, 'accepted while the store is up');
  await svc.store.close();
  const g = await grpcExport(svc.grpcPort, 'logs', body);
  t.equal(g.code, grpc.status.UNAVAILABLE, g.details);
  t.same(g.metadata['retry-after'], '2');
  const details = g.metadata['grpc-status-details-bin'] as Buffer;
  t.ok(Buffer.isBuffer(details), 'google.rpc.Status with RetryInfo in grpc-status-details-bin');
  t.match(details.toString('latin1'), 'type.googleapis.com/google.rpc.RetryInfo');
  const h = await post(`${svc.httpUrl}/v1/metrics`, JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [{ asDouble: 1 }] } }] }] }] }), JSON_CT);
  t.equal(h.status, 503);
  t.equal(h.headers.get('retry-after'), '2');
});
