// Who may see and run jobs: reading the list and a run needs the read scope, running a job the admin scope;
// a key of another project sees none of this project's jobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startTestService } from '../helpers/service.js';

const out = mkdtempSync(join(tmpdir(), 'tracemill-exports-auth-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));
const READ = 'read-key-0123456789';
const ADMIN = 'admin-key-0123456789';
const OTHER = 'other-key-0123456789';
const svc = await startTestService({
  apiKeys: `default:read:${READ},default:read+admin:${ADMIN},other:read+admin:${OTHER}`,
  jobs: [{ name: 'r', schedule: '0 8 * * 1', kind: 'report', format: 'md', destination: out }],
});
t.teardown(() => svc.stop());

const call = (path: string, key?: string, method = 'GET') => fetch(`${svc.httpUrl}${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });

t.test('scopes', async (t) => {
  t.equal((await call('/api/v1/exports')).status, 401, 'no key');
  const list = await call('/api/v1/exports', READ);
  t.equal(list.status, 200);
  t.same(((await list.json()) as { jobs: { name: string }[] }).jobs.map((j) => j.name), ['r']);
  t.equal((await call('/api/v1/exports/r/run', READ, 'POST')).status, 403, 'running needs admin');
  const run = await call('/api/v1/exports/r/run', ADMIN, 'POST');
  t.equal(run.status, 200);
  const { run_id, status } = (await run.json()) as { run_id: string; status: string };
  t.equal(status, 'ok');
  t.equal((await call(`/api/v1/exports/r/runs/${run_id}`, READ)).status, 200);
  t.equal((await call('/api/v1/report?format=md', READ)).status, 200, 'the report needs read');
  t.equal((await call('/api/v1/report?format=md')).status, 401);
});

t.test('another project sees no job of this one', async (t) => {
  const list = (await (await call('/api/v1/exports', OTHER)).json()) as { jobs: unknown[] };
  t.same(list.jobs, []);
  t.equal((await call('/api/v1/exports/r/run', OTHER, 'POST')).status, 404);
});
