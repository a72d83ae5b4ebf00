// Regression detection and notifications end to end: generated runs ingested over OTLP/HTTP into a real
// service, the detector run at chosen times (its clock is injected: runOnce(now)), webhooks delivered to
// HTTP receivers on loopback. Three scenarios, each two weeks apart so their baselines never overlap:
//   1. harness coder@1.5.0 doubles the tool_error rate on edit_file (5% -> 10%): a regression of that mode and
//      tool, first seen in 1.5.0; an hour later 1.5.1 is back at 5% and the alert resolves;
//   2. the same rates with a tenth of the runs: no alert;
//   3. a rate inside the baseline's day-to-day spread: no alert.
import { createHmac } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { sendRuns } from '../helpers/runs.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

/** A webhook receiver that answers `failFirst` requests with 500, then 200. */
async function receiver(failFirst = 0): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = got.length < failFirst ? 500 : 200;
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end(status === 200 ? 'ok' : 'try again');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, server };
}

const hooks = await receiver(0);
const slack = await receiver(3);
const broken = await receiver(1_000);
const HMAC = 'a-shared-secret-of-some-length';
t.teardown(() => Promise.all([hooks, slack, broken].map((r) => new Promise((res) => r.server.close(res)))));

const svc = await startTestService({
  settleMs: 60_000,
  alerts: {
    detection: { interval: 0 },
    rules: [
      {
        name: 'tool-errors',
        modes: ['tool_error'],
        destinations: [{ name: 'hook', type: 'webhook', url: hooks.url, hmac_secret: HMAC, secret_header: { name: 'X-Hook-Token', value: 't0ken' } }],
      },
      {
        name: 'edit-file',
        tools: ['edit_file'],
        destinations: [
          { name: 'slack', type: 'slack', url: slack.url, retries: 5, backoff: '20ms' },
          { name: 'down', type: 'webhook', url: broken.url, retries: 2, backoff: '10ms' },
        ],
      },
    ],
  },
});
t.teardown(() => svc.stop());

const tools = ['edit_file', 'read_file'];
const T1 = Date.parse('2026-10-01T12:00:00Z');
const T2 = T1 + 14 * DAY;
const T3 = T1 + 28 * DAY;

/** Baseline: on each of the 7 days before `at`, runs of coder@1.4.0 spread over [at - 1h, at + 1h) of that day. */
async function baseline(at: number, runsPerDay: number, editErrorsPerDay: number[], readErrorsPerDay: number) {
  for (let d = 1; d <= 7; d++) {
    await sendRuns(svc.httpUrl, {
      service: 'coder',
      version: '1.4.0',
      runs: runsPerDay,
      tools,
      errors: { edit_file: editErrorsPerDay[d - 1]!, read_file: readErrorsPerDay },
      start: new Date(at - d * DAY - HOUR),
      spreadMs: 2 * HOUR,
    });
  }
}
const recent = (at: number, version: string, runs: number, edit: number, read: number) =>
  sendRuns(svc.httpUrl, { service: 'coder', version, runs, tools, errors: { edit_file: edit, read_file: read }, start: new Date(at - HOUR + 1000), spreadMs: HOUR - 2000 });

// 1: 5% baseline (400 runs a day over two hours: 200 in each hour), then 1.5.0 at 10% and a little 1.4.0 at 5%.
await baseline(T1, 400, Array(7).fill(20), 20);
const v15 = await recent(T1, '1.5.0', 1000, 100, 50);
await recent(T1, '1.4.0', 100, 5, 5);
await recent(T1 + HOUR, '1.5.1', 800, 40, 40);
// 2: a tenth of the runs.
await baseline(T2, 40, Array(7).fill(2), 2);
await recent(T2, '1.5.0', 100, 10, 5);
await recent(T2, '1.4.0', 10, 0, 0);
// 3: baseline days between 4% and 7% on edit_file; the recent hour at 6%.
await baseline(T3, 400, [16, 24, 20, 28, 12, 20, 20], 20);
await recent(T3, '1.4.0', 700, 42, 35);
await svc.normalizer.flush();

interface AlertBody {
  id: string;
  status: string;
  mode: string;
  tool: string;
  model: string;
  harness: string;
  summary: string;
  evidence: {
    recent: { runs: number; affected_runs: number; rate: number };
    baseline: { runs: number; affected_runs: number; rate: number; ranges: number };
    ci: [number, number];
    test: string;
    p_value: number;
    adjusted_p: number;
    relative_change: number | null;
    example_trace_ids: string[];
    first_harness: { value: string } | null;
  };
}

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${svc.httpUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

let editAlert: AlertBody | undefined;

t.test('a doubled tool_error rate on edit_file in 1.5.0 opens an alert of that mode, tool and version', async (t) => {
  const run = await svc.alerts.runOnce(T1);
  const edit = run.opened.find((a) => a.mode === 'tool_error' && a.tool === 'edit_file');
  t.ok(edit, `opened: ${run.opened.map((a) => a.summary).join(' | ')}`);
  t.notOk(run.opened.some((a) => a.tool === 'read_file'), 'read_file is unchanged: no alert');
  t.equal(edit?.evidence.first_harness?.value, 'coder@1.5.0', 'first harness where it appears');
  t.same([edit?.evidence.recent.runs, edit?.evidence.recent.affected_runs], [1100, 105]);
  t.same([edit?.evidence.baseline.runs, edit?.evidence.baseline.affected_runs, edit?.evidence.baseline.ranges], [1400, 70, 7]);
  t.ok(edit!.evidence.ci[0] > 0, 'interval above 0');
  t.ok(edit!.evidence.example_trace_ids.length > 0 && edit!.evidence.example_trace_ids.every((id) => v15.failing.edit_file!.includes(id) || id.length === 32), 'example trace ids');
  t.match(edit?.summary, /tool_error on edit_file: 9\.5% of runs in the last 1h vs 5\.0% in the baseline \(1\.9x\), first in harness coder@1\.5\.0/);
  editAlert = (await get<AlertBody>(`/api/v1/alerts/${edit!.id}`)).body;
  t.equal(editAlert.status, 'open');

  const again = await svc.alerts.runOnce(T1 + 60_000);
  t.equal(again.opened.length, 0, 'the next pass opens nothing new');
  await svc.alerts.notifier.idle();
});

t.test('the webhook, signed, with the documented body; one message per alert', async (t) => {
  const opened = hooks.got.map((r) => ({ r, msg: JSON.parse(r.body) as { type: string; event: string; rule: string; alert: AlertBody; link: string } }));
  const ids = opened.map((o) => o.msg.alert.id);
  t.equal(new Set(ids).size, ids.length, 'no alert sent twice');
  const edit = opened.find((o) => o.msg.alert.id === editAlert?.id);
  t.ok(edit, 'the edit_file alert was sent');
  const { r, msg } = edit!;
  t.same([msg.type, msg.event, msg.rule, msg.link], ['tracemill.alert', 'opened', 'tool-errors', `/api/v1/alerts/${editAlert!.id}`]);
  t.same([msg.alert.mode, msg.alert.tool, msg.alert.status, msg.alert.evidence.first_harness?.value], ['tool_error', 'edit_file', 'open', 'coder@1.5.0']);
  t.equal(r.headers['content-type'], 'application/json');
  t.equal(r.headers['x-tracemill-event'], 'opened');
  t.equal(r.headers['x-hook-token'], 't0ken', 'shared-secret header');
  t.equal(r.headers['x-tracemill-signature'], `sha256=${createHmac('sha256', HMAC).update(r.body).digest('hex')}`, 'HMAC-SHA256 of the body');
});

t.test('a receiver that fails three times gets exactly one delivery; one that never answers is given up', async (t) => {
  const ok = slack.got.filter((r) => r.status === 200);
  t.equal(slack.got.length, 4, 'three failures and one success');
  t.equal(ok.length, 1, 'exactly one delivery');
  const msg = JSON.parse(ok[0]!.body) as { text: string; blocks: unknown[] };
  t.match(msg.text, /Regression: tool_error on edit_file/);
  t.equal(new Set(slack.got.map((r) => r.headers['x-tracemill-delivery'])).size, 1, 'retries carry the same delivery id');
  t.equal(broken.got.length, 3, 'one attempt and two retries');
  const { body } = await get<{ deliveries: { destination: string; attempt: number; outcome: string; event: string }[] }>(`/api/v1/alerts/${editAlert!.id}`);
  const of = (dest: string) => body.deliveries.filter((d) => d.destination === dest).map((d) => `${d.attempt}:${d.outcome}`);
  t.same(of('edit-file/slack'), ['1:failed', '2:failed', '3:failed', '4:delivered']);
  t.same(of('edit-file/down'), ['1:failed', '2:failed', '3:failed', '3:giving_up']);
  t.same(of('tool-errors/hook'), ['1:delivered']);
});

t.test('1.5.1 back at 5%: the alert resolves and sends one resolved message', async (t) => {
  const slackBefore = slack.got.length;
  const run = await svc.alerts.runOnce(T1 + HOUR);
  t.ok(run.resolved.some((a) => a.id === editAlert?.id), 'resolved');
  t.equal(run.opened.length, 0);
  await svc.alerts.runOnce(T1 + HOUR + 60_000);
  await svc.alerts.notifier.idle();
  const resolvedHooks = hooks.got.map((r) => JSON.parse(r.body) as { event: string; alert: { id: string; status: string } }).filter((m) => m.alert.id === editAlert?.id && m.event === 'resolved');
  t.equal(resolvedHooks.length, 1, 'one resolved webhook');
  t.equal(resolvedHooks[0]?.alert.status, 'resolved');
  const slackResolved = slack.got.slice(slackBefore);
  t.equal(slackResolved.length, 1, 'one resolved Slack message');
  t.match((JSON.parse(slackResolved[0]!.body) as { text: string }).text, /Resolved: tool_error on edit_file/);
  const one = await get<AlertBody & { resolved_at: string }>(`/api/v1/alerts/${editAlert!.id}`);
  t.same([one.body.status, one.body.resolved_at], ['resolved', new Date(T1 + HOUR).toISOString()]);
});

t.test('the same rates with a tenth of the runs: no alert', async (t) => {
  const run = await svc.alerts.runOnce(T2);
  t.same(run.opened.map((a) => a.summary), []);
});

t.test('a shift inside the baseline noise: no alert', async (t) => {
  const run = await svc.alerts.runOnce(T3);
  t.same(run.opened.map((a) => a.summary), []);
});

t.test('GET /api/v1/alerts with filters; bad ids', async (t) => {
  const all = await get<{ alerts: AlertBody[] }>(`/api/v1/alerts?since=2026-01-01T00:00:00Z`);
  t.equal(all.status, 200);
  t.ok(all.body.alerts.some((a) => a.id === editAlert?.id && a.status === 'resolved'));
  const byTool = await get<{ alerts: AlertBody[] }>(`/api/v1/alerts?since=2026-01-01T00:00:00Z&tool=edit_file&status=resolved`);
  t.ok(byTool.body.alerts.length >= 1 && byTool.body.alerts.every((a) => a.tool === 'edit_file' && a.status === 'resolved'));
  const recentOnly = await get<{ alerts: AlertBody[] }>(`/api/v1/alerts`);
  t.notOk(recentOnly.body.alerts.some((a) => a.id === editAlert?.id), 'resolved in October: not in the last 7 days');
  t.equal((await get(`/api/v1/alerts/${'0'.repeat(20)}`)).status, 404);
  const bad = await get<{ message: string }>(`/api/v1/alerts/nope`);
  t.equal(bad.status, 400);
  t.match(bad.body.message, /id/);
  t.equal((await get(`/api/v1/alerts?status=closed`)).status, 400);
});
