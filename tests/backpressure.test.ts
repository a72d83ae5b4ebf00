// A full write queue answers 429 with Retry-After; what was taken is still committed. Under sustained
// overload (a child process, so its memory is its own) every refusal is retryable and memory stays bounded.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import t from 'tap';
import { openStore } from '../src/store/clickhouse.js';
import { loadBatch } from './helpers/load.js';
import { startServe, stopChild } from './helpers/child.js';
import { grpcExport } from './helpers/grpc.js';
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

/** Peak and current resident memory of a process, in MiB (from /proc; undefined elsewhere). */
function rssMiB(pid: number): { peak: number; now: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/** One request of `size` spans carrying `pad` bytes of attribute text each, ids unique to (worker, seq). */

t.test('overload: many times what the queue holds; every acknowledged span stored, every refusal retryable, memory bounded', async (t) => {
  const QUEUE = 4 * 1024 * 1024;
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-overload-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // A 4 MiB queue and a 100 ms group-commit window: twelve senders of ~1 MiB requests keep it full.
  const { child, url, grpcPort } = await startServe(dataDir, { TRACEMILL_QUEUE_MAX_BYTES: String(QUEUE), TRACEMILL_BATCH_MAX_DELAY_MS: '100' });
  let exit: number | null | undefined;
  child.on('exit', (code) => (exit = code));
  t.teardown(() => (exit === undefined ? stopChild(child, 'SIGKILL') : undefined));
  const idle = rssMiB(child.pid!);

  const pad = 'x'.repeat(2000);
  const acked: string[] = [];
  const answers: Record<string, number> = {};
  const wrong: string[] = [];
  let sentBytes = 0;
  const count = (k: string) => (answers[k] = (answers[k] ?? 0) + 1);
  const until = performance.now() + 6000;

  const httpSender = async (w: number) => {
    for (let seq = 0; performance.now() < until; seq++) {
      const { body, ids } = loadBatch(w, seq, 500, 'overload', pad);
      sentBytes += body.length;
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/x-protobuf' } });
      await res.arrayBuffer();
      count(`http ${res.status}`);
      if (res.status === 200) acked.push(...ids);
      else if (!((res.status === 429 || res.status === 503) && Number(res.headers.get('retry-after')) > 0)) wrong.push(`http ${res.status} retry-after=${res.headers.get('retry-after')}`);
      else await new Promise((r) => setTimeout(r, 20)); // a client that honours Retry-After would wait longer; keep the pressure on
    }
  };
  const grpcSender = async (w: number) => {
    for (let seq = 0; performance.now() < until; seq++) {
      const { body, ids } = loadBatch(w, seq, 500, 'overload', pad);
      sentBytes += body.length;
      const res = await grpcExport(grpcPort, 'traces', body);
      count(`grpc ${grpc.status[res.code]}`);
      if (res.code === grpc.status.OK) acked.push(...ids);
      else if (!(res.code === grpc.status.UNAVAILABLE && Number(res.metadata['retry-after']) > 0 && res.metadata['grpc-status-details-bin'])) wrong.push(`grpc ${grpc.status[res.code]} ${res.details}`);
      else await new Promise((r) => setTimeout(r, 20));
    }
  };
  await Promise.all([...Array.from({ length: 8 }, (_, w) => httpSender(w)), ...Array.from({ length: 4 }, (_, w) => grpcSender(8 + w))]);
  const peak = rssMiB(child.pid!);

  t.same(wrong, [], 'every refusal is retryable: 429/503 with Retry-After, or UNAVAILABLE with RetryInfo');
  t.ok((answers['http 429'] ?? 0) + (answers['grpc UNAVAILABLE'] ?? 0) > 0, `the queue overflowed: ${JSON.stringify(answers)}`);
  t.ok(sentBytes > 5 * QUEUE, `sent ${(sentBytes / 1048576).toFixed(0)} MiB, ${(sentBytes / QUEUE).toFixed(0)}x what the queue holds`);
  if (idle && peak) {
    // Measured on a 2-core machine: ~330 MiB idle (embedded ClickHouse included), peak ~600 MiB under this load.
    t.comment(`RSS idle ${idle.now.toFixed(0)} MiB, peak ${peak.peak.toFixed(0)} MiB`);
    t.ok(peak.peak < idle.now + 512, `peak RSS ${peak.peak.toFixed(0)} MiB stays under idle + 512 MiB`);
  }

  t.equal(await stopChild(child), 0, 'drains and exits 0');
  const store = openStore({ dataDir, clickhouseUrl: undefined, clickhouseUser: 'default', clickhousePassword: '', clickhouseDatabase: 'default' });
  t.teardown(() => store.close());
  const stored = new Set((await store.query<{ span_id: string }>(`SELECT DISTINCT span_id FROM spans WHERE name = 'overload'`)).map((r) => r.span_id));
  t.equal(acked.filter((id) => !stored.has(id)).length, 0, `every acknowledged span is stored (${acked.length} acknowledged, ${stored.size} stored)`);
});
