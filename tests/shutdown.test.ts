// SIGTERM under load: the service stops taking connections, answers what it has in flight once the rows
// are committed, drains the write queue and exits 0; every span it acknowledged, before or during the
// drain, is there after a restart on the same data directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { openStore } from '../src/store/clickhouse.js';
import { loadBatch } from './helpers/load.js';
import { startServe, stopChild } from './helpers/child.js';
import { grpcExport } from './helpers/grpc.js';

/** One request of `size` spans with ids unique to (worker, seq). */

t.test('SIGTERM under load: stops accepting, drains, exits 0, loses nothing acknowledged', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-drain-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // A long group-commit window keeps requests waiting in the queue when SIGTERM arrives: the drain must commit them.
  const { child, url, grpcPort } = await startServe(dataDir, { TRACEMILL_BATCH_MAX_DELAY_MS: '200' });
  let exit: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.on('exit', (code) => ((exit = code), resolve())));
  t.teardown(() => (exit === undefined ? stopChild(child, 'SIGKILL') : undefined));

  const acked: string[] = [];
  const ackedDuringDrain: string[] = [];
  const afterTerm: Record<string, number> = {};
  let termAt = 0;
  const note = (what: string) => {
    if (termAt) afterTerm[what] = (afterTerm[what] ?? 0) + 1;
  };
  const ack = (ids: string[]) => {
    acked.push(...ids);
    if (termAt) ackedDuringDrain.push(...ids);
  };

  const httpWorker = async (w: number) => {
    for (let seq = 0; exit === undefined; seq++) {
      const { body, ids } = loadBatch(w, seq, 100, 'drain');
      try {
        const res = await fetch(`${url}/v1/traces`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/x-protobuf' } });
        await res.arrayBuffer();
        if (res.status === 200) ack(ids);
        note(`http ${res.status}`);
      } catch (e) {
        note(`http ${((e as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? (e as Error).message}`);
        if (termAt) await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const grpcWorker = async (w: number) => {
    for (let seq = 0; exit === undefined; seq++) {
      const { body, ids } = loadBatch(w, seq, 100, 'drain');
      const res = await grpcExport(grpcPort, 'traces', body);
      if (res.code === grpc.status.OK) ack(ids);
      note(`grpc ${grpc.status[res.code]}`);
      if (res.code !== grpc.status.OK && termAt) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const workers = [httpWorker(0), httpWorker(1), httpWorker(2), grpcWorker(3), grpcWorker(4)];

  await new Promise((r) => setTimeout(r, 2000));
  const before = acked.length;
  termAt = performance.now();
  child.kill('SIGTERM');
  await exited;
  const drainMs = performance.now() - termAt;
  await Promise.all(workers);

  t.equal(exit, 0, `exit 0 after SIGTERM (drained in ${Math.round(drainMs)} ms)`);
  t.ok(before > 0, `${before} spans acknowledged before SIGTERM`);
  t.comment(`answers after SIGTERM: ${JSON.stringify(afterTerm)}; ${ackedDuringDrain.length} spans acknowledged during the drain`);
  // After SIGTERM nothing is accepted on a new connection; requests already on their way are answered.
  const refused = Object.keys(afterTerm).filter((k) => !/^(http 200|http 503|grpc OK|grpc UNAVAILABLE|http ECONNREFUSED|http ECONNRESET|http UND_ERR_SOCKET)$/.test(k));
  t.same(refused, [], 'after SIGTERM: committed (200 / OK), refused retryably (503 / UNAVAILABLE) or not connected');
  t.ok((afterTerm['http ECONNREFUSED'] ?? 0) + (afterTerm['grpc UNAVAILABLE'] ?? 0) > 0, 'new requests were turned away');

  // Restart on the same directory: everything acknowledged is there.
  const second = await startServe(dataDir);
  t.equal((await fetch(`${second.url}/readyz`)).status, 200, 'restarted on the same data dir');
  t.equal(await stopChild(second.child), 0);
  const store = openStore({ dataDir, clickhouseUrl: undefined, clickhouseUser: 'default', clickhousePassword: '', clickhouseDatabase: 'default' });
  t.teardown(() => store.close());
  const stored = new Set((await store.query<{ span_id: string }>(`SELECT DISTINCT span_id FROM spans WHERE name = 'drain'`)).map((r) => r.span_id));
  const missing = acked.filter((id) => !stored.has(id));
  t.equal(missing.length, 0, `every acknowledged span is stored (${acked.length} acknowledged, ${stored.size} stored)`);
});
