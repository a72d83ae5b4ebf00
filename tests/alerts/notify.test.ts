// Notifier details without the detector: rule matching, and a shutdown that does not wait out the backoff.
// A real HTTP receiver on loopback; delivery records collected in memory (the store path is covered by
// tests/alerts/regression.test.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { Rule } from '../../src/alerts/config.js';
import type { Alert, Delivery } from '../../src/alerts/model.js';
import { Notifier, ruleMatches } from '../../src/alerts/notify.js';

const side = { runs: 100, affected_runs: 10, failures: 10, rate: 0.1 };
const alert: Alert = {
  id: '0123456789abcdef0123',
  project: 'default',
  status: 'open',
  mode: 'invalid_tool_arguments',
  tool: 'edit_file',
  model: '',
  harness: '',
  opened_at: '2026-10-01T12:00:00.000Z',
  resolved_at: null,
  updated_at: '2026-10-01T12:00:00.000Z',
  summary: 'invalid_tool_arguments on edit_file',
  evidence: {
    recent: { ...side, from: '', to: '' },
    baseline: { ...side, rate: 0.03, kind: 'same_window_previous_days', ranges: 7, from: '', to: '' },
    difference: 0.07,
    ci: [0.02, 0.12],
    confidence: 0.95,
    test: 'two_proportion_z',
    p_value: 0.001,
    adjusted_p: 0.004,
    tested: 4,
    relative_change: 2.33,
    thresholds: { alpha: 0.01, min_runs: 30, min_failures: 5, min_relative_change: 0.5 },
    example_trace_ids: [],
    first_harness: { value: 'coder@1.5.0', first_seen: '', runs: 100, affected_runs: 10, rate: 0.1, p_value: 0.001 },
    first_model: null,
    harnesses: [],
    models: [],
  },
};

const rule = (r: Record<string, unknown>) => Rule.parse({ name: 'r', destinations: [{ type: 'webhook', url: 'http://127.0.0.1:1/' }], ...r });

t.test('rule matching', async (t) => {
  t.ok(ruleMatches(rule({}), alert), 'no lists: everything');
  t.ok(ruleMatches(rule({ modes: ['invalid_tool_arguments'], tools: ['edit_file'] }), alert));
  t.notOk(ruleMatches(rule({ tools: ['read_file'] }), alert));
  t.ok(ruleMatches(rule({ harnesses: ['coder@1.5.0'] }), alert), 'the first harness counts');
  t.notOk(ruleMatches(rule({ harnesses: ['coder@1.4.0'] }), alert));
  t.notOk(ruleMatches(rule({ projects: ['other'] }), alert));
  t.notOk(ruleMatches(rule({ min_failures: 11 }), alert), 'stricter count');
  t.notOk(ruleMatches(rule({ min_relative_change: 3 }), alert), 'stricter change');
});

t.test('close() gives up a delivery waiting for its retry at once, and records it', async (t) => {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(503).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => server.close(r)));
  const records: Delivery[] = [];
  const n = new Notifier({ record: async (_p, _id, d) => void records.push(d) });
  const r = rule({ destinations: [{ type: 'webhook', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, retries: 5, backoff: '1h' }] });
  n.notify(alert, 'opened', [r]);
  n.notify(alert, 'opened', [r]);
  while (records.length === 0) await new Promise((res) => setTimeout(res, 10));
  const started = Date.now();
  await n.close();
  t.ok(Date.now() - started < 5_000, 'did not wait for the hour of backoff');
  t.equal(hits, 1, 'one attempt: the same alert and event asked twice is sent once');
  t.same(
    records.map((d) => `${d.attempt}:${d.outcome}`),
    ['1:failed', '1:giving_up'],
  );
  t.match(records[1]?.error, /shutting down/);
});
