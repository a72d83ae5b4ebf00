// A bounded settle backlog (issue 15): past TRACEMILL_SETTLE_MAX_PENDING groups the service says so (a
// counter, and the lag in /metrics and in each statistics response) and catches up from the stored data
// later, losing nothing; and the figures say how fresh they are.
import t from 'tap';
import { claudeCodeRequest } from './helpers/sessions.js';
import { post, startTestService } from './helpers/service.js';

const svc = await startTestService({ settleMs: 3_600_000, settleMaxPending: 4 });
t.teardown(() => svc.stop());

const metric = async (name: string): Promise<number> => {
  const text = await (await fetch(`${svc.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.split(' ')[1]) : NaN;
};
const toolStats = async () =>
  (await (await fetch(`${svc.httpUrl}/api/v1/tools/stats?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`)).json()) as {
    freshness: { settled_through: string; pending_groups: number };
    tools: { calls: number }[];
  };

t.test('ten conversations against a bound of four: counted, caught up, none lost', async (t) => {
  let firstAck = 0;
  let tools = 0;
  for (let i = 0; i < 10; i++) {
    const r = claudeCodeRequest(`backlog-${i}`, i, 1);
    tools += r.tools;
    t.equal((await post(`${svc.httpUrl}/v1/traces`, r.body, { 'content-type': 'application/json' })).status, 200);
    firstAck ||= Date.now();
  }
  t.equal(svc.normalizer.pendingGroups, 4, 'the backlog holds four groups, not ten');
  t.equal(await metric('tracemill_settle_overflows_total'), 1, 'one overflow counted (logged once, not per group)');
  t.ok((await metric('tracemill_settle_lag_seconds')) >= 0, 'the lag is exposed');
  const before = await toolStats();
  t.equal(before.tools.length, 0, 'nothing normalized yet (a settle time of an hour)');
  t.ok(Date.parse(before.freshness.settled_through) <= firstAck, `figures settled through ${before.freshness.settled_through}, before the first request was answered`);
  t.equal(before.freshness.pending_groups, 4);

  // Each flush settles what is pending; the groups left out come back from the store once the backlog halves.
  // Until every call is normalized and the last catch-up has found nothing more in the store (the timer's own
  // ticks may have settled the last groups before a flush did the final check).
  let calls = 0;
  let lag = Infinity;
  for (let i = 0; i < 20 && (calls < tools || lag > 0); i++) {
    await svc.normalizer.flush();
    calls = (await toolStats()).tools.reduce((n, x) => n + x.calls, 0);
    lag = await metric('tracemill_settle_lag_seconds');
  }
  t.equal(calls, tools, `every tool call of the ten conversations normalized (${tools})`);
  const after = await toolStats();
  t.equal(after.freshness.pending_groups, 0);
  t.ok(Date.parse(after.freshness.settled_through) > firstAck, 'caught up: settled through now');
  t.equal(await metric('tracemill_settle_lag_seconds'), 0, 'no lag left');
});
