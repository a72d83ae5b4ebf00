// Store faults: the embedded store's table directory turns read-only, its disk fills up, the ClickHouse
// server cannot be reached. Each time exports get 503 + Retry-After (gRPC UNAVAILABLE with RetryInfo),
// the process keeps running, nothing refused is stored, and writes work again once the fault is gone.
// The embedded cases need root (to run the service as another user, and to mount a small tmpfs) and
// are skipped without it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import t, { type Test } from 'tap';
import { Writer } from '../src/receivers/otlp/wire.js';
import { decodeTracesProto } from '../src/receivers/otlp/traces.js';
import { openStore } from '../src/store/clickhouse.js';
import { encodeSpans } from '../src/store/rows/spans.js';
import { BatchWriter, WriteFailedError } from '../src/store/writer.js';
import { CLI, startServe, stopChild } from './helpers/child.js';
import { grpcExport } from './helpers/grpc.js';
import { SESSION_KEYS } from '../src/normalize/dialects/index.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Why the service cannot run as nobody here ('' when it can): not root, or the checkout is not readable by others. */
function cannotRunAsNobody(): string {
  if (!isRoot) return 'needs root to run the service as another user';
  const r = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)}); require.resolve('chdb', { paths: [${JSON.stringify(import.meta.dirname)}] })`], {
    uid: NOBODY,
    gid: NOBODY,
    stdio: 'ignore',
  });
  return r.status === 0 ? '' : 'the checkout is not readable by user nobody';
}

function spans(tag: string, n = 1, pad = 0): Buffer {
  return new Writer()
    .messageField(1, (rs) =>
      rs.messageField(2, (ss) => {
        for (let i = 0; i < n; i++) {
          ss.messageField(2, (w) =>
            w
              .bytesField(1, Buffer.alloc(16, 0xab))
              .bytesField(2, Buffer.from(`${tag}-${i}`.padEnd(8, '.').slice(-8)))
              .stringField(5, tag)
              .fixed64Field(7, 1795582931000000000n)
              .fixed64Field(8, 1795582931000000001n)
              .messageField(9, (kv) => kv.stringField(1, 'pad').messageField(2, (v) => v.stringField(1, Math.random().toString(36).repeat(pad)))),
          );
        }
      }),
    )
    .finish();
}

const PROTO = { 'content-type': 'application/x-protobuf' };

/** Sends one export over HTTP and one over gRPC; returns what each answered. */
async function exportBoth(url: string, grpcPort: number, tag: string, n = 1, pad = 0) {
  const res = await fetch(`${url}/v1/traces`, { method: 'POST', body: new Uint8Array(spans(`${tag}-h`, n, pad)), headers: PROTO });
  const http = { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
  const g = await grpcExport(grpcPort, 'traces', spans(`${tag}-g`, n, pad));
  return { http, grpc: g };
}

function assertRetryable(t: Test, answers: Awaited<ReturnType<typeof exportBoth>>, what: string): void {
  t.equal(answers.http.status, 503, `${what}: HTTP 503 (${answers.http.body.slice(0, 160)})`);
  t.ok(Number(answers.http.retryAfter) > 0, `${what}: with Retry-After`);
  t.equal(answers.grpc.code, grpc.status.UNAVAILABLE, `${what}: gRPC UNAVAILABLE`);
  t.ok(answers.grpc.metadata['grpc-status-details-bin'], `${what}: with RetryInfo`);
}

/** Span names stored in an embedded data dir, read by a separate process (chdb opens one directory per process). */
function storedNames(dataDir: string): string[] {
  const script = `
    import { openStore } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../dist/src/store/clickhouse.js')).href)};
    const store = openStore({ dataDir: process.argv[1], clickhouseUser: 'default', clickhousePassword: '', clickhouseDatabase: 'default' });
    const rows = await store.query('SELECT DISTINCT name FROM spans ORDER BY name');
    await store.close();
    console.log(JSON.stringify(rows.map((r) => r.name)));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, dataDir], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as string[];
}

t.test('embedded: the table directory turns read-only', { skip: cannotRunAsNobody() || false }, async (t) => {
  // As root every permission check passes, so the service runs as nobody and loses the right to write.
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-ro-'));
  chmodSync(dataDir, 0o755);
  chownSync(dataDir, NOBODY, NOBODY);
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { child, url, grpcPort } = await startServe(dataDir, { HOME: dataDir }, { uid: NOBODY, gid: NOBODY });
  let exit: number | null | undefined;
  child.on('exit', (code) => (exit = code));
  t.teardown(() => (exit === undefined ? stopChild(child, 'SIGKILL') : undefined));

  const ok = await exportBoth(url, grpcPort, 'before');
  t.equal(ok.http.status, 200);
  t.equal(ok.grpc.code, grpc.status.OK);

  const table = realpathSync(resolve(dataDir, 'data/default', readlinkSync(join(dataDir, 'data/default/spans'))));
  chmodSync(table, 0o555);
  assertRetryable(t, await exportBoth(url, grpcPort, 'readonly'), 'read-only table directory');
  const metrics = await (await fetch(`${url}/metrics`)).text();
  t.match(metrics, /tracemill_requests_rejected_total\{signal="traces",transport="http",reason="store_unavailable"\} [1-9]/, 'counted in /metrics');
  t.match(metrics, /tracemill_insert_duration_seconds_count\{outcome="error"\} [1-9]/);

  chmodSync(table, 0o755);
  const again = await exportBoth(url, grpcPort, 'after');
  t.equal(again.http.status, 200, 'writable again: accepted without a restart');
  t.equal(again.grpc.code, grpc.status.OK);
  t.equal(exit, undefined, 'the service never stopped');
  t.equal(await stopChild(child), 0);
  t.same(storedNames(dataDir), ['after-g', 'after-h', 'before-g', 'before-h'], 'nothing refused was stored');
});

t.test('embedded: the disk fills up', { skip: isRoot ? false : 'needs root to mount a tmpfs' }, async (t) => {
  const mnt = mkdtempSync(join(tmpdir(), 'tracemill-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (e) {
    rmSync(mnt, { recursive: true, force: true });
    t.pass(`skipped: cannot mount a tmpfs here: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  t.teardown(() => {
    execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });
  const dataDir = join(mnt, 'data');
  mkdirSync(dataDir);
  const { child, url, grpcPort } = await startServe(dataDir);
  let exit: number | null | undefined;
  child.on('exit', (code) => (exit = code));
  t.teardown(() => (exit === undefined ? stopChild(child, 'SIGKILL') : undefined));

  t.equal((await exportBoth(url, grpcPort, 'before')).http.status, 200);
  // Fill what is left: writing stops at ENOSPC.
  const filler = join(mnt, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(24 * 1024 * 1024));
  } catch (e) {
    t.equal((e as NodeJS.ErrnoException).code, 'ENOSPC', 'the disk is full');
  }
  assertRetryable(t, await exportBoth(url, grpcPort, 'full', 50, 40), 'disk full');
  t.equal((await fetch(`${url}/healthz`)).status, 200, 'still alive');

  rmSync(filler);
  const again = await exportBoth(url, grpcPort, 'after', 50, 40);
  t.equal(again.http.status, 200, 'space again: accepted without a restart');
  t.equal(again.grpc.code, grpc.status.OK);
  t.equal(exit, undefined, 'the service never stopped');
  t.equal(await stopChild(child), 0);
  t.same(storedNames(dataDir), ['after-g', 'after-h', 'before-g', 'before-h'], 'nothing refused was stored');
});

/** A local port where nothing listens. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

t.test('server mode: ClickHouse not reachable at start: the service runs, not ready, exports get 503 / UNAVAILABLE', async (t) => {
  const port = await closedPort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-srv-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { child, url, grpcPort, output } = await startServe(dataDir, { CLICKHOUSE_URL: `http://127.0.0.1:${port}` });
  let exit: number | null | undefined;
  child.on('exit', (code) => (exit = code));
  t.teardown(() => (exit === undefined ? stopChild(child, 'SIGKILL') : undefined));

  t.equal((await fetch(`${url}/healthz`)).status, 200, 'alive');
  const ready = await fetch(`${url}/readyz`);
  t.equal(ready.status, 503, 'not ready');
  t.match(await ready.text(), /does not answer/);
  const answers = await exportBoth(url, grpcPort, 'down');
  assertRetryable(t, answers, 'server unreachable');
  t.match(answers.http.body, /not reachable/);
  const json = await fetch(`${url}/v1/logs`, { method: 'POST', body: '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"}}]}]}]}', headers: { 'content-type': 'application/json' } });
  t.equal(json.status, 503);
  t.match(((await json.json()) as { message: string }).message, /retry later/);
  await new Promise((r) => setTimeout(r, 1500));
  t.match(output(), /the store is not reachable; exports get 503; next try in/, 'keeps trying, and says so');
  t.equal(exit, undefined, 'still running');
  t.equal(await stopChild(child), 0, 'SIGTERM while waiting: exit 0');
});

t.test('server mode: an INSERT that cannot connect is a retryable failure', async (t) => {
  // What the writer sees when the server goes away after the start.
  const port = await closedPort();
  const store = openStore({ dataDir: '/nonexistent', clickhouseUrl: `http://127.0.0.1:${port}`, clickhouseUser: 'default', clickhousePassword: '', clickhouseDatabase: 'default' });
  t.teardown(() => store.close());
  const writer = new BatchWriter(store, { maxRows: 1000, maxDelayMs: 0, maxQueueBytes: 1 << 20 });
  const rows = encodeSpans('p', decodeTracesProto(spans('x')).items, SESSION_KEYS);
  const err = await writer.write([rows]).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof WriteFailedError, 'rejected with WriteFailedError');
  t.equal((err as WriteFailedError).permanent, false, 'retryable (503 / UNAVAILABLE), not a data error');
  t.equal(writer.queuedBytes, 0, 'the queue is empty again');
});
