// Size and back-pressure limits, the same over gRPC and HTTP: a service with a small body limit and a write queue
// that holds one request (a long group-commit delay keeps that request waiting).
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { decodeLogsJson } from '../src/receivers/otlp/logs.js';
import { grpcExport } from './helpers/grpc.js';
import { encodeLogs } from './helpers/otlp-encode.js';
import { post, startTestService } from './helpers/service.js';

const MAX_BODY = 64 * 1024;
const svc = await startTestService({ maxBodyBytes: MAX_BODY, queueMaxBytes: 1, batchMaxDelayMs: 400 });
t.teardown(() => svc.stop());

const PROTO_CT = { 'content-type': 'application/x-protobuf' };

/** One log record whose body is `size` bytes of text; `tag` keeps records distinct. */
function logsBody(size: number, tag: string): Buffer {
  const doc = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'tm-limits' } }] },
        scopeLogs: [{ logRecords: [{ timeUnixNano: '1795582931000000000', body: { stringValue: 'x'.repeat(size) }, attributes: [{ key: 'tag', value: { stringValue: tag } }] }] }],
      },
    ],
  };
  return encodeLogs(decodeLogsJson(doc).items);
}

t.test('a message above TRACEMILL_MAX_BODY_BYTES: RESOURCE_EXHAUSTED over gRPC (also gzip-compressed), 413 over HTTP', async (t) => {
  const small = logsBody(MAX_BODY / 2, 'small');
  t.equal((await grpcExport(svc.grpcPort, 'logs', small)).code, grpc.status.OK, 'half the limit is accepted');

  const big = logsBody(MAX_BODY + 1024, 'big');
  const plain = await grpcExport(svc.grpcPort, 'logs', big);
  t.equal(plain.code, grpc.status.RESOURCE_EXHAUSTED, plain.details);
  // gzip shrinks the repeated 'x' to a few hundred bytes: the limit must apply to the decompressed message.
  const gz = await grpcExport(svc.grpcPort, 'logs', big, { gzip: true });
  t.equal(gz.code, grpc.status.RESOURCE_EXHAUSTED, gz.details);
  t.equal((await post(`${svc.httpUrl}/v1/logs`, big, PROTO_CT)).status, 413);

  const rows = await svc.rows<{ tag: string }>(`SELECT attributes['tag'] AS tag FROM logs FINAL WHERE service_name = 'tm-limits'`);
  t.same(rows, [{ tag: 'small' }], 'nothing of the refused requests was stored');
});

t.test('the write queue is full: UNAVAILABLE with retry-after over gRPC, 429 over HTTP; the queued request still commits', async (t) => {
  const first = grpcExport(svc.grpcPort, 'logs', logsBody(100, 'first'));
  // Wait until the first request's rows sit in the writer (they wait there for the group-commit delay).
  while (svc.writer.stats.queuedRequests === 0) await new Promise((r) => setTimeout(r, 5));

  const g = await grpcExport(svc.grpcPort, 'logs', logsBody(100, 'second'));
  t.equal(g.code, grpc.status.UNAVAILABLE, g.details);
  t.match(g.details, /write queue is full/);
  t.same(g.metadata['retry-after'], '2');
  const h = await post(`${svc.httpUrl}/v1/logs`, logsBody(100, 'third'), PROTO_CT);
  t.equal(h.status, 429);
  t.equal(h.headers.get('retry-after'), '2');

  t.equal((await first).code, grpc.status.OK, 'the request already queued is answered after its commit');
  const rows = await svc.rows<{ tag: string }>(`SELECT attributes['tag'] AS tag FROM logs FINAL WHERE service_name = 'tm-limits' ORDER BY tag`);
  t.same(rows, [{ tag: 'first' }, { tag: 'small' }]);
});
