// Item limits (attributes per item, value length, items per request) and the /metrics counters that
// report them: nothing over a limit disappears without a count and a flag.
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { grpcExport } from '../helpers/grpc.js';
import { encodeTraces } from '../helpers/otlp-encode.js';
import { post, startTestService } from '../helpers/service.js';

const svc = await startTestService({ maxAttributes: 5, maxValueChars: 100, maxItemsPerRequest: 10 });
t.teardown(() => svc.stop());

const now = BigInt(Date.now()) * 1_000_000n;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const attr = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } });

function traces(n: number, attrs: ReturnType<typeof attr>[] = []) {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'limits')] },
        scopeSpans: [
          {
            scope: { name: 't' },
            spans: Array.from({ length: n }, (_, i) => ({
              traceId: hex(n, 32),
              spanId: hex(i + 1, 16),
              name: `span ${i}`,
              startTimeUnixNano: String(now),
              endTimeUnixNano: String(now + 1000n),
              attributes: attrs,
              droppedAttributesCount: 1,
            })),
          },
        ],
      },
    ],
  });
}

const JSONH = { 'content-type': 'application/json' };

t.test('attributes over the limit are dropped and counted; long values cut and flagged', async (t) => {
  const attrs = [attr('a', 'x'.repeat(500)), attr('b', 1), attr('c', 'ok'), attr('d', 'ok'), attr('e', 'ok'), attr('f', 'gone'), attr('g', 'gone')];
  const res = await post(`${svc.httpUrl}/v1/traces`, traces(1, attrs), JSONH);
  t.equal(res.status, 200);
  const [row] = await svc.rows<{ attributes: Record<string, string>; dropped_attributes_count: number }>(
    `SELECT attributes, dropped_attributes_count FROM spans WHERE service_name = 'limits'`,
  );
  t.same(Object.keys(row.attributes).sort(), ['a', 'b', 'c', 'd', 'e', 'tracemill.truncated']);
  t.equal(row.attributes.a.length, 100, 'cut to the limit');
  t.equal(row.attributes['tracemill.truncated'], 'a', 'and flagged');
  t.equal(Number(row.dropped_attributes_count), 1 + 2, 'the sender\'s count plus ours');
});

t.test('a long log body is cut and flagged', async (t) => {
  const body = JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [attr('service.name', 'limits')] },
        scopeLogs: [{ scope: {}, logRecords: [{ timeUnixNano: String(now), body: { stringValue: 'y'.repeat(1000) }, attributes: [attr('session.id', 's1')] }] }],
      },
    ],
  });
  t.equal((await post(`${svc.httpUrl}/v1/logs`, body, JSONH)).status, 200);
  const [row] = await svc.rows<{ body: string; flag: string }>(`SELECT body, attributes['tracemill.truncated'] AS flag FROM logs WHERE service_name = 'limits'`);
  t.equal(row.body.length, 100);
  t.equal(row.flag, 'body');
});

t.test('too many items in one request: 413 / RESOURCE_EXHAUSTED, saying what to change', async (t) => {
  const res = await post(`${svc.httpUrl}/v1/traces`, traces(11), JSONH);
  t.equal(res.status, 413);
  t.match(JSON.parse(res.body.toString()).message, /more than 10 spans in one request \(TRACEMILL_MAX_ITEMS_PER_REQUEST\)/);
  t.equal((await post(`${svc.httpUrl}/v1/traces`, traces(10), JSONH)).status, 200, 'ten is fine');
  const spans = Array.from({ length: 11 }, (_, i) => ({
    resource: { attributes: { values: {}, types: {} }, droppedAttributesCount: 0, schemaUrl: '', serviceName: '' },
    scope: { name: '', version: '', attributes: { values: {}, types: {} }, droppedAttributesCount: 0, schemaUrl: '' },
    traceId: hex(99, 32),
    spanId: hex(i + 1, 16),
    parentSpanId: '',
    traceState: '',
    flags: 0,
    name: 's',
    kind: 1,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now),
    attributes: { values: {}, types: {} },
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    statusCode: 0,
    statusMessage: '',
  }));
  const g = await grpcExport(svc.grpcPort, 'traces', encodeTraces(spans as never));
  t.equal(g.code, grpc.status.RESOURCE_EXHAUSTED);
});

t.test('/metrics counts all of it', async (t) => {
  const res = await fetch(`${svc.httpUrl}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /text\/plain/);
  const text = await res.text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  t.equal(value(/^tracemill_items_accepted_total\{project="default",signal="traces"\} (\d+)$/m), 11);
  t.equal(value(/^tracemill_items_accepted_total\{project="default",signal="logs"\} (\d+)$/m), 1);
  t.equal(value(/^tracemill_values_truncated_total\{project="default",signal="traces"\} (\d+)$/m), 1);
  t.equal(value(/^tracemill_values_truncated_total\{project="default",signal="logs"\} (\d+)$/m), 1);
  t.equal(value(/^tracemill_attributes_dropped_total\{project="default",signal="traces"\} (\d+)$/m), 2);
  t.equal(value(/^tracemill_requests_rejected_total\{signal="traces",transport="http",reason="too_large"\} (\d+)$/m), 1);
  t.equal(value(/^tracemill_requests_rejected_total\{signal="traces",transport="grpc",reason="too_large"\} (\d+)$/m), 1);
  t.ok(value(/^tracemill_rows_written_total\{table="spans"\} (\d+)$/m) >= 11);
  t.match(text, /^tracemill_insert_duration_seconds_count\{outcome="ok"\} \d+$/m);
  t.match(text, /^tracemill_write_queue_bytes \d+$/m);
  t.match(text, /^tracemill_settle_pending_groups \d+$/m);
  t.match(text, /^tracemill_process_resident_memory_bytes \d+/m);
});
