// A full write queue answers 429 with Retry-After; what was taken is still committed.
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import t from 'tap';
import { post, startTestService } from './helpers/service.js';
import { makeSpans } from './helpers/spans.js';

t.test('429 + Retry-After when the write queue is full', async (t) => {
  // A long group-commit window keeps the first request queued while the second arrives;
  // the queue holds a single request's rows.
  const svc = await startTestService({ batchMaxDelayMs: 1500, queueMaxBytes: 1 });
  t.teardown(() => svc.stop());
  const url = `${svc.httpUrl}/v1/traces`;
  const first = post(url, ProtobufTraceSerializer.serializeRequest(makeSpans('queued'))!, { 'content-type': 'application/x-protobuf' });
  await new Promise((r) => setTimeout(r, 200));
  const second = await post(url, ProtobufTraceSerializer.serializeRequest(makeSpans('refused'))!, { 'content-type': 'application/x-protobuf' });
  t.equal(second.status, 429);
  t.equal(second.headers.get('retry-after'), '2');
  const json = await post(url, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'ab'.repeat(8), name: 'refused-json' }] }] }] }), { 'content-type': 'application/json' });
  t.equal(json.status, 429);
  t.match(JSON.parse(json.body.toString()).message, /write queue is full/);
  t.equal((await first).status, 200, 'the queued request is acknowledged after its commit');
  const rows = await svc.rows<{ service_name: string; n: string }>('SELECT service_name, count() AS n FROM spans FINAL GROUP BY service_name ORDER BY service_name');
  t.same(rows, [{ service_name: 'queued', n: '3' }], 'acknowledged spans stored, refused ones not');
});
