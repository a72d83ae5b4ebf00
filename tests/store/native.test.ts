// The Native row encoders and the writer's block merge: rows of several requests merged into one INSERT are
// stored exactly as each request's rows alone (map and array offsets shifted, nullable and fixed columns kept).
import t from 'tap';
import { decodeMetricsJson } from '../../src/receivers/otlp/metrics.js';
import { decodeTracesJson } from '../../src/receivers/otlp/traces.js';
import { nativeChunks, setDecimalI64, setDecimalU64 } from '../../src/store/native.js';
import { RAW_SPAN_SELECT, type RawSpanRow } from '../../src/store/read/spans.js';
import { encodeMetricPoints } from '../../src/store/rows/metrics.js';
import { encodeSpans } from '../../src/store/rows/spans.js';
import { startTestService } from '../helpers/service.js';
import { SESSION_KEYS } from '../../src/normalize/dialects/index.js';

t.test('64-bit integers from decimal text', async (t) => {
  const u32 = new Uint32Array(2);
  const u64 = (s: string) => {
    setDecimalU64(u32, 0, s);
    return ((BigInt(u32[1]) << 32n) | BigInt(u32[0])).toString();
  };
  for (const s of ['0', '1', '4294967295', '4294967296', '9007199254740993', '1700000000123456789', '9223372036854775807', '18446744073709551615']) t.equal(u64(s), s);
  const i64 = (v: number | string) => {
    setDecimalI64(u32, 0, v);
    return BigInt.asIntN(64, (BigInt(u32[1]) << 32n) | BigInt(u32[0])).toString();
  };
  for (const v of [0, -1, 42, -9007199254740991, '-9223372036854775808', '9223372036854775807']) t.equal(i64(v), String(v));
});

function spansDoc(request: number, spans: number): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${request}` } }] },
        scopeSpans: [
          {
            scope: { name: 'scope', version: String(request) },
            spans: Array.from({ length: spans }, (_, i) => ({
              traceId: `${String(request).padStart(2, '0')}${'a'.repeat(30)}`,
              spanId: `${String(request).padStart(2, '0')}${String(i).padStart(14, '0')}`,
              name: `span ${i}`,
              startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
              endTimeUnixNano: String(1_700_000_001_000_000_000n + BigInt(i)),
              // A different number of attributes on every span, some typed, some long or not ASCII.
              attributes: Array.from({ length: (i + request) % 5 }, (_, k) =>
                k % 2
                  ? { key: `int.${k}`, value: { intValue: String(k * 1000 + i) } }
                  : { key: `str.${k}`, value: { stringValue: k === 2 ? 'é😀'.repeat(40 + i) : `v${request}.${i}.${k}` } },
              ),
            })),
          },
        ],
      },
    ],
  };
}

t.test('merged blocks store what each request sent', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const requests = [3, 1, 7, 4].map((n, r) => decodeTracesJson(spansDoc(r, n)).items);
  const blocks = requests.map((spans) => encodeSpans('default', spans, SESSION_KEYS));
  await svc.store.insertNative('spans', blocks[0].schema.names, nativeChunks(blocks[0].schema, blocks.map((b) => b.block)));
  const rows = await svc.rows<RawSpanRow>(`SELECT ${RAW_SPAN_SELECT} FROM spans FINAL ORDER BY span_id`);
  const sent = requests.flat().sort((a, b) => a.spanId.localeCompare(b.spanId));
  t.equal(rows.length, sent.length);
  for (let i = 0; i < sent.length; i++) {
    t.same(rows[i].attributes, { ...sent[i].attributes.values }, `attributes of ${sent[i].spanId}`);
    t.same(rows[i].attribute_types, { ...sent[i].attributes.types });
    t.equal(rows[i].scope_version, sent[i].scope.version);
    t.same(rows[i].resource_attributes, { ...sent[i].resource.attributes.values });
    t.equal(rows[i].start_ns, sent[i].startTimeUnixNano);
  }

  const metrics = (r: number) =>
    decodeMetricsJson({
      resourceMetrics: [
        {
          resource: {},
          scopeMetrics: [
            {
              metrics: [
                {
                  name: `h${r}`,
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: Array.from({ length: r + 1 }, (_, i) => ({
                      timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
                      count: String(i + r),
                      ...(i % 2 ? { sum: 1.5 * i } : {}),
                      bucketCounts: Array.from({ length: i + r }, (_, k) => String(k)),
                      explicitBounds: Array.from({ length: Math.max(0, i + r - 1) }, (_, k) => k / 2),
                    })),
                  },
                },
              ],
            },
          ],
        },
      ],
    }).items;
  const points = [2, 0, 3].map(metrics);
  const mblocks = points.map((p) => encodeMetricPoints('default', p, SESSION_KEYS));
  await svc.store.insertNative('metric_points', mblocks[0].schema.names, nativeChunks(mblocks[0].schema, mblocks.map((b) => b.block)));
  const stored = await svc.rows<{ metric_name: string; count: string; sum: number | null; bucket_counts: string[]; explicit_bounds: number[] }>(
    'SELECT metric_name, toString(count) AS count, sum, arrayMap(x -> toString(x), bucket_counts) AS bucket_counts, explicit_bounds FROM metric_points FINAL ORDER BY metric_name, time',
  );
  const expected = points.flat().sort((a, b) => a.metric.name.localeCompare(b.metric.name) || a.timeUnixNano.localeCompare(b.timeUnixNano));
  t.equal(stored.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    t.same(stored[i], { metric_name: expected[i].metric.name, count: expected[i].count, sum: expected[i].sum, bucket_counts: expected[i].bucketCounts, explicit_bounds: expected[i].explicitBounds }, `point ${i}`);
  }
});
