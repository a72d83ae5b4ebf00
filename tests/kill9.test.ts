// kill -9 under load: every span the service acknowledged is there after a restart on the same data dir.
// The service runs as a child process (the built CLI, as users run it); the test is its client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openStore } from '../src/store/clickhouse.js';
import { loadBatch } from './helpers/load.js';
import { startServe as startChild, stopChild } from './helpers/child.js';


t.test('every acknowledged span survives kill -9', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-kill9-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startChild(dataDir);

  const acked: string[] = [];
  let stop = false;
  let sent = 0;
  const worker = async (w: number) => {
    for (let seq = 0; !stop; seq++) {
      const { body, ids } = loadBatch(w, seq, 50, 'load');
      sent += ids.length;
      try {
        const res = await fetch(`${first.url}/v1/traces`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/x-protobuf' } });
        if (res.status === 200) acked.push(...ids);
      } catch {
        // connection reset by the kill: not acknowledged
      }
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  await new Promise((r) => setTimeout(r, 2500));
  await stopChild(first.child, 'SIGKILL');
  stop = true;
  await Promise.all(workers);
  t.ok(acked.length > 0, `some spans were acknowledged before the kill (${acked.length} of ${sent} sent)`);

  // Restart on the same directory (the lock of the dead process is gone), then stop it cleanly and read.
  const second = await startChild(dataDir);
  t.equal((await fetch(`${second.url}/readyz`)).status, 200, 'restarted on the same data dir');
  await stopChild(second.child);

  const store = openStore({ dataDir, clickhouseUrl: undefined, clickhouseUser: 'default', clickhousePassword: '', clickhouseDatabase: 'default' });
  t.teardown(() => store.close());
  const rows = await store.query<{ span_id: string }>("SELECT DISTINCT span_id FROM spans WHERE name = 'load'");
  const stored = new Set(rows.map((r) => r.span_id));
  const missing = acked.filter((id) => !stored.has(id));
  t.equal(missing.length, 0, `every acknowledged span is stored (${stored.size} stored, ${acked.length} acknowledged)`);
});
