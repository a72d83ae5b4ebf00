// Failure reports over HTTP, from the CLI, and the HTML report opened in headless Chromium with the network
// blocked. Data: five agent runs exported by the real OpenTelemetry SDK (tests/helpers/spans.ts), each with
// one LLM call and one failing read_file tool call, and two runs of a second service with a version. Each run
// shows two failures: tool_error on the tool call, and unfinished_run on the LLM call (it asked for tools and
// no later call read their results).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { chromium } from 'playwright-core';
import t from 'tap';
import { CLI } from '../helpers/child.js';
import { startTestService } from '../helpers/service.js';
import { exportWith, makeSpans } from '../helpers/spans.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

const exporter = new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` });
await exportWith(exporter, makeSpans('sdk-agent', { count: 5 }));
const versioned = makeSpans('versioned-agent', { count: 2 });
for (const s of versioned) (s.resource.attributes as Record<string, unknown>)['service.version'] = '2.1.0';
await exportWith(exporter, versioned);
await exporter.shutdown();
await svc.normalizer.flush();

interface Row {
  key: string;
  total: number;
  failed: number;
  failures: number;
  rate: number;
  previous: { total: number; rate: number };
  significant: boolean;
  test: string;
  p_value: number;
}
interface ReportBody {
  totals: { runs: number; failed_runs: number; llm_calls: number; tool_calls: number; failures: number; input_tokens: number; failure_rate: number };
  previous_totals: { runs: number };
  timeline: { bucket_seconds: number; points: { runs: number; failed_runs: number }[] };
  by: Record<'mode' | 'tool' | 'model' | 'agent' | 'harness', { unit: string; rows: Row[] }>;
  examples: { mode: string; examples: { trace_id: string; evidence: string; link: string }[] }[];
}

t.test('JSON report: totals, breakdowns, examples with working trace links', async (t) => {
  const res = await fetch(`${svc.httpUrl}/api/v1/report?from=1h&format=json`);
  t.equal(res.status, 200);
  const r = (await res.json()) as ReportBody;
  t.same(
    [r.totals.runs, r.totals.failed_runs, r.totals.llm_calls, r.totals.tool_calls, r.totals.failures, r.totals.input_tokens],
    [7, 7, 7, 7, 14, 7 * 1234],
    'seven runs, each with one LLM call (1234 input tokens), one failing tool call, two failures',
  );
  t.equal(r.previous_totals.runs, 0, 'nothing in the hour before');
  t.equal(r.timeline.bucket_seconds, 3600);
  t.equal(r.timeline.points.reduce((n, p) => n + p.failed_runs, 0), 7, 'the timeline holds every failed run');
  const mode = new Map(r.by.mode.rows.map((x) => [x.key, x]));
  t.same([mode.get('tool_error')?.failed, mode.get('tool_error')?.total, mode.get('tool_error')?.rate], [7, 7, 1]);
  t.same([mode.get('unfinished_run')?.failed, mode.get('unfinished_run')?.failures], [7, 7]);
  const tool = new Map(r.by.tool.rows.map((x) => [x.key, x]));
  t.same([tool.get('read_file')?.total, tool.get('read_file')?.failed], [7, 7]);
  t.equal(r.by.tool.unit, 'tool calls');
  const model = new Map(r.by.model.rows.map((x) => [x.key, x]));
  t.same([model.get('demo-model')?.total, model.get('demo-model')?.failed], [7, 7], 'each LLM call carries the unfinished_run');
  const harness = new Map(r.by.harness.rows.map((x) => [x.key, x]));
  t.same([harness.get('sdk-agent')?.total, harness.get('versioned-agent@2.1.0')?.total], [5, 2], 'harness = service.name@service.version');
  t.notOk(mode.get('tool_error')?.significant, 'no previous data: not significant');
  t.equal(mode.get('tool_error')?.p_value, 1);
  const ex = r.examples.find((e) => e.mode === 'tool_error');
  t.equal(ex?.examples.length, 3, 'three examples of the mode');
  for (const e of ex?.examples ?? []) {
    t.match(e.evidence, /ENOENT/);
    t.equal(e.link, `${svc.httpUrl}/api/v1/traces/${e.trace_id}`);
  }
  const trace = await fetch(ex!.examples[0].link);
  t.equal(trace.status, 200, 'the link opens the trace');
});

t.test('filters and bad parameters', async (t) => {
  const r = (await (await fetch(`${svc.httpUrl}/api/v1/report?from=1h&service=versioned-agent`)).json()) as ReportBody;
  t.equal(r.totals.runs, 2);
  const bad = await fetch(`${svc.httpUrl}/api/v1/report?from=yesterday`);
  t.equal(bad.status, 400);
  t.match(await bad.text(), /from/);
  const fmt = await fetch(`${svc.httpUrl}/api/v1/report?format=pdf`);
  t.equal(fmt.status, 400);
  t.match(await fmt.text(), /format/);
});

t.test('Markdown report', async (t) => {
  const res = await fetch(`${svc.httpUrl}/api/v1/report?from=1h&format=md`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /text\/markdown/);
  const md = await res.text();
  t.match(md, /^# Failure report/);
  t.match(md, /\| tool_error \| 7 \| 7 \| 7 \| 100\.0% \| 0\.0% \|/);
  t.match(md, /\| read_file \| 7 \| 7 \|/);
  t.match(md, new RegExp(`\\[\`[0-9a-f]{32}\`\\]\\(${svc.httpUrl.replace(/[.]/g, '\\.')}/api/v1/traces/[0-9a-f]{32}\\)`));
});

t.test('the CLI writes the report through the running service', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tracemill-report-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'r.json');
  await promisify(execFile)(process.execPath, [CLI, 'report', '--since', '1h', '--format', 'json', '--out', out, '--service', 'sdk-agent'], {
    env: { ...process.env, TRACEMILL_DATA_DIR: svc.dataDir, TRACEMILL_URL: svc.httpUrl },
  });
  const r = JSON.parse(readFileSync(out, 'utf8')) as ReportBody;
  t.equal(r.totals.runs, 5);
});

t.test('the HTML report shows its charts in Chromium with no network', async (t) => {
  const res = await fetch(`${svc.httpUrl}/api/v1/report?from=1h&format=html`);
  t.match(res.headers.get('content-type'), /text\/html/);
  const html = await res.text();
  t.notMatch(html, /<script|<link|@import|url\(/i, 'no script, stylesheet or resource reference');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const requested: string[] = [];
  await page.route('**/*', (route) => {
    requested.push(route.request().url());
    return route.abort();
  });
  await page.setContent(html, { waitUntil: 'load' });
  t.same(requested, [], 'the page asked for nothing');
  const charts = await page.locator('svg.chart').count();
  t.equal(charts, 6, 'the rate chart and five breakdown charts');
  const box = await page.locator('svg.chart').first().boundingBox();
  t.ok(box && box.width > 300 && box.height > 100, `the rate chart is drawn (${JSON.stringify(box)})`);
  t.ok((await page.locator('svg.chart').first().locator('rect.runs').count()) >= 1, 'with run bars');
  t.ok((await page.locator('svg.chart path.rate').count()) === 1, 'and the rate line');
  t.match(await page.locator('h1').innerText(), /Failure report/);
  const dir = join(import.meta.dirname, '../.artifacts');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
});

t.test('the report and the jobs API are in the OpenAPI document', async (t) => {
  const doc = (await (await fetch(`${svc.httpUrl}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }> }>>;
  };
  const report = doc.paths['/api/v1/report']?.get?.responses?.['200']?.content?.['application/json']?.schema?.properties ?? {};
  for (const k of ['totals', 'timeline', 'by', 'examples', 'significance']) t.ok(k in report, `report schema has ${k}`);
  t.ok(doc.paths['/api/v1/exports']?.get, 'GET /api/v1/exports');
  t.ok(doc.paths['/api/v1/exports/{job}/runs/{run}']?.get, 'GET one run');
  t.ok(doc.paths['/api/v1/exports/{job}/run']?.post, 'POST run');
});
