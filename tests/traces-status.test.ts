// Every OTLP/HTTP status-code behaviour of POST /v1/traces, each checked on the wire.
import { gzipSync, deflateSync } from 'node:zlib';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import t from 'tap';
import { Reader, Writer } from '../src/receivers/otlp/wire.js';
import { post, startTestService } from './helpers/service.js';
import { makeSpans } from './helpers/spans.js';

const MiB = 1024 * 1024;
const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_CT = { 'content-type': 'application/json' };

function readStatus(body: Buffer): { code: number; message: string } {
  const r = new Reader(body);
  const out = { code: 0, message: '' };
  while (!r.done()) {
    const tag = r.varint32();
    if (tag === 8) out.code = r.varint32();
    else if (tag === 18) out.message = r.string();
    else r.skip(tag & 7);
  }
  return out;
}

function readPartial(body: Buffer): { rejected: number; message: string } {
  const out = { rejected: 0, message: '' };
  const r = new Reader(body);
  while (!r.done()) {
    const tag = r.varint32();
    if (tag !== 10) {
      r.skip(tag & 7);
      continue;
    }
    const p = r.sub();
    while (!p.done()) {
      const t2 = p.varint32();
      if (t2 === 8) out.rejected = Number(p.int64());
      else if (t2 === 18) out.message = p.string();
      else p.skip(t2 & 7);
    }
  }
  return out;
}

/** A protobuf request with the given (traceId bytes, spanId bytes, name) spans under one resource. */
function protoRequest(spans: { traceId: Buffer; spanId: Buffer; name: string }[]): Buffer {
  return new Writer()
    .messageField(1, (rs) => {
      rs.messageField(1, (res) => res.messageField(1, (kv) => kv.stringField(1, 'service.name').messageField(2, (v) => v.stringField(1, 'status-tests'))));
      rs.messageField(2, (ss) => {
        for (const s of spans) {
          ss.messageField(2, (w) => w.bytesField(1, s.traceId).bytesField(2, s.spanId).stringField(5, s.name).fixed64Field(7, 1795582931000000000n).fixed64Field(8, 1795582931500000000n));
        }
      });
    })
    .finish();
}

const tid = (n: number) => Buffer.alloc(16, n);
const sid = (n: number) => Buffer.alloc(8, n);

async function countNamed(svc: Awaited<ReturnType<typeof startTestService>>, name: string): Promise<number> {
  const [r] = await svc.rows<{ n: string }>('SELECT count() AS n FROM spans FINAL WHERE name = {n:String}', { n: name });
  return Number(r.n);
}

t.test('OTLP/HTTP status codes', async (t) => {
  const svc = await startTestService({ maxBodyBytes: MiB });
  t.teardown(() => svc.stop());
  const url = `${svc.httpUrl}/v1/traces`;

  await t.test('200 with an empty ExportTraceServiceResponse in the request encoding', async (t) => {
    const proto = await post(url, ProtobufTraceSerializer.serializeRequest(makeSpans('ok-svc'))!, PROTO);
    t.equal(proto.status, 200);
    t.equal(proto.headers.get('content-type'), 'application/x-protobuf');
    t.equal(proto.body.length, 0, 'protobuf: 0-byte body, partial_success unset');
    const json = await post(url, JSON.stringify({ resourceSpans: [] }), JSON_CT);
    t.equal(json.status, 200);
    t.match(json.headers.get('content-type'), /^application\/json/);
    t.equal(json.body.toString(), '{}');
  });

  await t.test('partial success: invalid spans rejected with the reason, valid ones stored (protobuf)', async (t) => {
    const body = protoRequest([
      { traceId: tid(1), spanId: sid(1), name: 'partial-good' },
      { traceId: Buffer.from([1, 2, 3]), spanId: sid(2), name: 'partial-bad' },
      { traceId: tid(1), spanId: Buffer.alloc(8), name: 'partial-bad' },
    ]);
    const res = await post(url, body, PROTO);
    t.equal(res.status, 200);
    const p = readPartial(res.body);
    t.equal(p.rejected, 2);
    t.match(p.message, /trace_id must be 16 bytes/);
    t.match(p.message, /span_id must not be all zeros/);
    t.equal(await countNamed(svc, 'partial-good'), 1);
    t.equal(await countNamed(svc, 'partial-bad'), 0);
  });

  await t.test('partial success in OTLP/JSON', async (t) => {
    const doc = {
      resourceSpans: [{ scopeSpans: [{ spans: [
        { traceId: 'AB'.repeat(16), spanId: 'CD'.repeat(8), name: 'json-good', startTimeUnixNano: 1795582931000000000, endTimeUnixNano: '1795582931000000001', kind: 2, status: { code: 2 } },
        { traceId: 'abc', spanId: 'cd'.repeat(8), name: 'json-bad' },
      ] }] }],
    };
    const res = await post(url, JSON.stringify(doc), JSON_CT);
    t.equal(res.status, 200);
    const body = JSON.parse(res.body.toString());
    t.equal(body.partialSuccess.rejectedSpans, '1');
    t.match(body.partialSuccess.errorMessage, /trace_id must be 16 bytes/);
    const rows = await svc.rows<{ trace_id: string; kind: number; status_code: number }>("SELECT trace_id, kind, status_code FROM spans FINAL WHERE name = 'json-good'");
    t.same(rows, [{ trace_id: 'ab'.repeat(16), kind: 2, status_code: 2 }], 'uppercase hex ids lowered, enums as ints');
  });

  await t.test('400 with a google.rpc.Status body for undecodable payloads', async (t) => {
    const good = ProtobufTraceSerializer.serializeRequest(makeSpans('trunc'))!;
    const truncated = Buffer.from(good).subarray(0, good.length - 7);
    const res = await post(url, truncated, PROTO);
    t.equal(res.status, 400);
    const st = readStatus(res.body);
    t.equal(st.code, 3, 'INVALID_ARGUMENT');
    t.match(st.message, /cannot decode/);
    const bad = await post(url, '{"resourceSpans": [', JSON_CT);
    t.equal(bad.status, 400);
    t.match(JSON.parse(bad.body.toString()).message, /invalid JSON/);
    const wrongType = await post(url, JSON.stringify({ resourceSpans: 'nope' }), JSON_CT);
    t.equal(wrongType.status, 400);
    t.match(JSON.parse(wrongType.body.toString()).message, /resourceSpans must be an array/);
    const allBad = await post(url, protoRequest([{ traceId: tid(0), spanId: sid(1), name: 'zero' }]), PROTO);
    t.equal(allBad.status, 400, 'a request whose every span is invalid is a 400');
    t.match(readStatus(allBad.body).message, /all zeros/);
  });

  await t.test('415 for other content types; 405 for other methods', async (t) => {
    for (const ct of ['text/plain', 'application/xml', 'application/grpc']) {
      const res = await post(url, 'x', { 'content-type': ct });
      t.equal(res.status, 415, ct);
      t.match(res.body.toString(), /application\/x-protobuf/);
    }
    const get = await fetch(url);
    t.equal(get.status, 405);
    t.equal(get.headers.get('allow'), 'POST');
  });

  await t.test('gzip, deflate and chunked bodies', async (t) => {
    const gz = await post(url, gzipSync(protoRequest([{ traceId: tid(7), spanId: sid(7), name: 'gzip-span' }])), { ...PROTO, 'content-encoding': 'gzip' });
    t.equal(gz.status, 200);
    const df = await post(url, deflateSync(protoRequest([{ traceId: tid(8), spanId: sid(8), name: 'deflate-span' }])), { ...PROTO, 'content-encoding': 'deflate' });
    t.equal(df.status, 200);
    const payload = protoRequest([{ traceId: tid(9), spanId: sid(9), name: 'chunked-span' }]);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(payload.subarray(0, 10));
        c.enqueue(payload.subarray(10));
        c.close();
      },
    });
    const ch = await fetch(url, { method: 'POST', body: stream, headers: PROTO, duplex: 'half' } as RequestInit);
    t.equal(ch.status, 200);
    for (const n of ['gzip-span', 'deflate-span', 'chunked-span']) t.equal(await countNamed(svc, n), 1, n);
    const corrupt = await post(url, Buffer.from('not gzip at all'), { ...PROTO, 'content-encoding': 'gzip' });
    t.equal(corrupt.status, 400);
    const unknown = await post(url, payload, { ...PROTO, 'content-encoding': 'snappy' });
    t.equal(unknown.status, 415);
  });

  await t.test('413 over the size limit, before and after decompression; a gzip bomb stops early', async (t) => {
    const big = await post(url, Buffer.alloc(MiB + 10, 0x0a), PROTO);
    t.equal(big.status, 413);
    t.match(readStatus(big.body).message, /TRACEMILL_MAX_BODY_BYTES/);
    const bomb = gzipSync(Buffer.alloc(256 * MiB)); // ~260 KB on the wire
    t.ok(bomb.length < MiB);
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const res = await post(url, bomb, { ...PROTO, 'content-encoding': 'gzip' });
    t.equal(res.status, 413);
    t.ok(Date.now() - started < 5000, 'answered quickly');
    t.ok(process.memoryUsage().rss - rssBefore < 128 * MiB, 'the bomb was not inflated into memory');
  });

  await t.test('503 with Retry-After when the store is unreachable; nothing acknowledged', async (t) => {
    await svc.store.close();
    const res = await post(url, protoRequest([{ traceId: tid(5), spanId: sid(5), name: 'after-close' }]), PROTO);
    t.equal(res.status, 503);
    t.equal(res.headers.get('retry-after'), '2');
    t.equal(readStatus(res.body).code, 14, 'UNAVAILABLE');
    const json = await post(url, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'ab'.repeat(8), name: 'x' }] }] }] }), JSON_CT);
    t.equal(json.status, 503);
    t.match(JSON.parse(json.body.toString()).message, /retry later/);
  });
});
