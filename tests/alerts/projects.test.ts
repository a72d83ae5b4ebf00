// Comparisons and alerts stay inside the caller's project: runs sent with one project's key are counted, and
// alerted on, only for that project; the alerts endpoints need the read scope.
import t from 'tap';
import { sendRuns } from '../helpers/runs.js';
import { startTestService } from '../helpers/service.js';

const K = { acme: 'acme-key-0123456789abcdef', beta: 'beta-key-0123456789abcdef', acmeIngest: 'acme-ingest-0123456789ab' };
const svc = await startTestService({
  settleMs: 60_000,
  apiKeys: `acme:ingest+read:${K.acme},beta:ingest+read:${K.beta},acme:ingest:${K.acmeIngest}`,
  alerts: { detection: { interval: 0 } },
});
t.teardown(() => svc.stop());

const HOUR = 3_600_000;
const T = Date.parse('2026-10-01T12:00:00Z');
const tools = ['edit_file'];
const auth = (key: string) => ({ authorization: `Bearer ${key}` });
for (let d = 1; d <= 7; d++) {
  await sendRuns(svc.httpUrl, { service: 'coder', version: '1.4.0', runs: 100, tools, errors: { edit_file: 5 }, start: new Date(T - d * 24 * HOUR - HOUR), spreadMs: HOUR - 1000 }, auth(K.acme));
}
await sendRuns(svc.httpUrl, { service: 'coder', version: '1.5.0', runs: 400, tools, errors: { edit_file: 60 }, start: new Date(T - HOUR + 1000), spreadMs: HOUR - 2000 }, auth(K.acme));
await svc.normalizer.flush();

const get = async (path: string, key?: string) => {
  const res = await fetch(`${svc.httpUrl}${path}`, { headers: key ? auth(key) : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { alerts?: { id: string; project: string }[]; a?: { runs: number }; verdict?: string } };
};

t.test('compare counts only the caller project', async (t) => {
  const q = `/api/v1/failures/compare?from=2026-09-01T00:00:00Z&to=2026-11-01T00:00:00Z&a=service.version:1.4.0&b=service.version:1.5.0`;
  const acme = await get(q, K.acme);
  t.equal(acme.status, 200);
  t.equal(acme.body.a?.runs, 700);
  const beta = await get(q, K.beta);
  t.same([beta.body.a?.runs, beta.body.verdict], [0, 'too_few_runs'], 'nothing of acme in beta');
});

t.test('alerts are per project and need the read scope', async (t) => {
  const run = await svc.alerts.runOnce(T);
  t.ok(run.opened.length >= 1 && run.opened.every((a) => a.project === 'acme'), run.opened.map((a) => `${a.project}: ${a.summary}`).join(' | '));
  t.same(run.opened.map((a) => [a.mode, a.tool]), [['tool_error', 'edit_file']], 'one tool has every failure: one alert, naming the tool');
  const id = run.opened[0]!.id;
  const acme = await get(`/api/v1/alerts`, K.acme);
  t.ok(acme.body.alerts?.some((a) => a.id === id));
  const beta = await get(`/api/v1/alerts`, K.beta);
  t.same(beta.body.alerts, [], 'beta sees none');
  t.equal((await get(`/api/v1/alerts/${id}`, K.beta)).status, 404, "another project's alert is not found");
  t.equal((await get(`/api/v1/alerts/${id}`, K.acme)).status, 200);
  t.equal((await get(`/api/v1/alerts`)).status, 401, 'no key');
  t.equal((await get(`/api/v1/alerts/${id}`, K.acmeIngest)).status, 403, 'ingest scope only');
});
