// The report builder and its formats on hand-made figures: which changes are marked significant, empty
// buckets, escaping. Pure code, no store.
import t from 'tap';
import { buildReport } from '../../src/exporters/reports/build.js';
import { reportHtml } from '../../src/exporters/reports/html.js';
import { reportMarkdown } from '../../src/exporters/reports/md.js';
import { Report } from '../../src/exporters/reports/model.js';
import type { PeriodFigures } from '../../src/store/read/report.js';

const from = new Date('2026-12-01T00:00:00Z');
const to = new Date('2026-12-02T00:00:00Z');
const H = 3_600_000;

function period(mode: [string, number][], runs: number, timeline: [number, number, number][]): PeriodFigures {
  return {
    totals: { runs, failed_runs: mode.reduce((n, [, f]) => Math.max(n, f), 0), llm_calls: runs * 2, tool_calls: runs, failures: mode.reduce((n, [, f]) => n + f, 0), input_tokens: 10, output_tokens: 5, cost_usd: 0.5 },
    timeline: timeline.map(([start, r, f]) => ({ start, runs: r, failed_runs: f, failures: f })),
    by: {
      mode: mode.map(([key, f]) => ({ key, total: runs, failed: f, failures: f })),
      tool: [{ key: 'sh | rm <x>', total: runs, failed: 1, failures: 1 }],
      model: [],
      agent: [],
      harness: [],
    },
  };
}

const report = buildReport({
  project: 'p',
  from,
  to,
  filters: { service: 'svc' },
  bucketSeconds: 3600,
  // tool_error 40/100 against 10/100: z = 0.3 / sqrt(0.25 * 0.75 * 0.02) = 4.90, p ~ 1e-6; refusal 3/100 against 2/100: p ~ 0.65.
  current: period([['tool_error', 40], ['refusal', 3]], 100, [[from.getTime(), 60, 30], [from.getTime() + 5 * H, 40, 10]]),
  previous: period([['tool_error', 10], ['refusal', 2], ['compaction', 4]], 100, []),
  examples: [{ mode: 'tool_error', trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), time_ns: '1764547200000000000', evidence: 'x | <b>y</b>\nz', severity: 'medium', tool: 'sh', agent: 'a', model: '', service: 'svc' }],
  baseUrl: 'http://h:1/',
  generatedAt: to,
});

t.test('the model validates and marks the significant change only', async (t) => {
  t.ok(Report.safeParse(report).success, 'the JSON schema accepts it');
  const mode = new Map(report.by.mode.rows.map((r) => [r.key, r]));
  t.equal(mode.get('tool_error')?.test, 'two_proportion_z');
  t.ok(mode.get('tool_error')!.p_value < 1e-5 && mode.get('tool_error')!.significant);
  t.ok(Math.abs(mode.get('tool_error')!.change - 0.3) < 1e-12);
  t.notOk(mode.get('refusal')?.significant);
  t.equal(mode.get('refusal')?.test, 'fisher_exact', 'small expected counts: Fisher');
  t.same([mode.get('compaction')?.total, mode.get('compaction')?.failed], [100, 0], 'a mode gone since the previous period is listed, over this period’s runs');
  t.equal(mode.get('compaction')?.test, 'fisher_exact');
  t.ok(mode.get('refusal')!.p_adjusted >= mode.get('refusal')!.p_value, 'Holm adjusts upwards');
});

t.test('timeline: every hour of the period, empty ones included', async (t) => {
  t.equal(report.timeline.points.length, 24);
  t.same(report.timeline.points.map((p) => p.runs).filter((r) => r > 0), [60, 40]);
  t.equal(report.timeline.points[5].failure_rate, 0.25);
});

t.test('Markdown and HTML mark it and escape the data', async (t) => {
  const md = reportMarkdown(report);
  t.match(md, /\| tool_error \| 100 \| 40 \| 40 \| 40\.0% \| 10\.0% \| ▲ \+30\.0 pts \*\*significant\*\*/);
  t.notMatch(md, /\| refusal [^\n]*significant/);
  t.match(md, /\| sh \\\| rm &lt;x&gt; \|/, 'pipes and angle brackets escaped in cells');
  t.match(md, /\[`a{32}`\]\(http:\/\/h:1\/api\/v1\/traces\/a{32}\)/);
  const html = reportHtml(report);
  t.equal((html.match(/class="bar sig"/g) ?? []).length, 1, 'one red bar');
  t.notMatch(html, /<b>y<\/b>/, 'evidence is escaped');
  t.match(html, /&lt;b&gt;y&lt;\/b&gt;/);
});
