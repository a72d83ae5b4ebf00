// The dashboard in a real browser: Playwright (playwright-core) driving Debian's Chromium, headless, against a
// service fed the Claude Code captures and generated runs of two harness versions (1.5.0 with three times
// the edit_file tool errors of 1.4.0). Every request outside the service is blocked, so the pages prove they
// need no network. Each page is scanned with axe-core (no serious or critical violations) and saved as a
// screenshot in tests/ui/screenshots/ (ignored by git).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import t, { type Test } from 'tap';
import { sendRuns } from '../helpers/runs.js';
import { postCaptures, startTestService } from '../helpers/service.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const AXE = readFileSync(join(import.meta.dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8');

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
await postCaptures(svc.httpUrl);
const start = new Date(Date.now() - 3 * 3_600_000);
await sendRuns(svc.httpUrl, { service: 'coder', version: '1.4.0', runs: 200, tools: ['edit_file', 'read_file'], errors: { edit_file: 10, read_file: 4 }, start });
await sendRuns(svc.httpUrl, { service: 'coder', version: '1.5.0', runs: 200, tools: ['edit_file', 'read_file'], errors: { edit_file: 30, read_file: 4 }, start });
await svc.normalizer.flush();

const RANGE = { from: '2026-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
const api = async <T>(path: string): Promise<T> => (await (await fetch(`${svc.httpUrl}${path}`)).json()) as T;

const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
t.teardown(() => browser.close());
const outside: string[] = [];

async function open(hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith(svc.httpUrl)) return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  await page.goto(`${svc.httpUrl}/ui/${hash}`);
  return page;
}

async function checkPage(t: Test, page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  t.same(serious, [], `${name}: no serious accessibility violations ${JSON.stringify(serious)}`);
}

const q = (o: Record<string, string>) => new URLSearchParams(o).toString();

t.test('overview shows the failure counts', async (t) => {
  const stats = await api<{ totals: { failures: number; runs: number } }>(`/api/v1/failures/stats?${q(RANGE)}`);
  const page = await open(`#/overview?${q(RANGE)}`);
  const tile = page.locator('.tile', { hasText: 'Failures' }).first();
  await tile.waitFor();
  t.equal((await tile.locator('.tile-value').textContent())?.replace(/,/g, ''), String(stats.totals.failures), 'the Failures tile shows the API total');
  t.equal((await page.locator('.tile', { hasText: 'Runs' }).locator('.tile-value').textContent())?.replace(/,/g, ''), String(stats.totals.runs));
  await page.locator('canvas').first().waitFor();
  // The modes section fills in after the figures (src/ui/pages/overview.tsx): wait for it.
  await page.locator('table.bars[aria-label="Failures by mode"]').getByText('tool_error').waitFor({ timeout: 10_000 });
  t.ok(await page.locator('table.bars[aria-label="Failures by mode"]').getByText('tool_error').isVisible(), 'top modes list tool_error');
  await checkPage(t, page, 'overview');
  await page.close();
});

t.test('clicking the failing Read opens its trace with the error visible', async (t) => {
  const page = await open(`#/failures?${q({ ...RANGE, mode: 'tool_error' })}`);
  // The Claude Code Read call (tool column exactly "Read", not the generated runs' read_file).
  const row = page.locator('tbody tr').filter({ has: page.locator('td:nth-child(4)', { hasText: /^Read$/ }) }).first();
  await row.waitFor();
  await checkPage(t, page, 'failures');
  await row.locator('a').first().click();
  await page.waitForURL(/#\/trace\/[0-9a-f]{32}\?span=/);
  const detail = page.locator('aside.detail');
  await detail.waitFor();
  t.match(await detail.locator('h2').textContent(), /tool: Read/, 'the failing Read is selected');
  t.match(await detail.textContent(), /File does not exist/, 'its error is visible');
  t.ok(await page.locator('.node.selected.failed').isVisible(), 'marked in the tree');
  await checkPage(t, page, 'trace-failing-read');
  await page.close();
});

t.test('the subagent is nested under the Agent call', async (t) => {
  const list = await api<{ traces: { trace_id: string; subagents: number }[] }>(`/api/v1/traces?${q({ ...RANGE, service: 'claude-code', limit: '50' })}`);
  const withSub = list.traces.find((x) => x.subagents > 0);
  t.ok(withSub, 'the subagent capture has a trace with a subagent');
  const page = await open(`#/trace/${withSub!.trace_id}`);
  const sub = page.locator('.tree .node.kind-subagent').first();
  await sub.waitFor();
  // The subagent's <li> sits in the child list of the Agent tool call's <li>.
  const nestedUnderAgent = await sub.evaluate((el) => {
    const parentItem = el.closest('li')?.parentElement?.closest('li');
    return parentItem?.querySelector(':scope > .node')?.textContent ?? '';
  });
  t.match(nestedUnderAgent, /Agent/, 'the subagent\'s parent node is the Agent tool call');
  await checkPage(t, page, 'trace-subagent');
  await page.close();
});

t.test('the compaction is marked with tokens before and after', async (t) => {
  const fails = await api<{ failures: { trace_id: string; span_id: string }[] }>(`/api/v1/failures?${q({ ...RANGE, mode: 'compaction' })}`);
  t.equal(fails.failures.length, 1);
  const page = await open(`#/trace/${fails.failures[0].trace_id}?span=${fails.failures[0].span_id}`);
  const mark = page.locator('.tree .compaction').first();
  await mark.waitFor();
  t.match(await mark.textContent(), /compaction \d+ → \d+ tokens/, 'tokens before and after');
  t.match(await page.locator('aside.detail').textContent(), /Compaction.*\d+ → \d+ tokens/);
  await checkPage(t, page, 'trace-compaction');
  await page.close();
});

t.test('the compare page shows the planted regression', async (t) => {
  const page = await open(`#/compare?${q({ a: 'service:coder,service.version:1.4.0', b: 'service:coder,service.version:1.5.0', from: '1d' })}`);
  const row = page.locator('tr.worse', { hasText: 'edit_file' }).filter({ hasText: 'tool_error' });
  await row.first().waitFor();
  t.match(await row.first().textContent(), /▲ worse in B/, 'edit_file tool errors significantly worse in 1.5.0');
  t.equal(await page.locator('tr', { hasText: 'read_file' }).filter({ hasText: 'worse' }).count(), 0, 'read_file, unchanged, is not marked');
  await checkPage(t, page, 'compare');
  await page.close();
});

t.test('session, traces, alerts and exports pages render', async (t) => {
  const list = await api<{ traces: { session_id: string }[] }>(`/api/v1/traces?${q({ ...RANGE, service: 'claude-code' })}`);
  const session = list.traces.find((x) => x.session_id)!.session_id;
  for (const [name, hash, expect] of [
    ['session', `#/session/${encodeURIComponent(session)}`, /runs, in order/],
    ['traces', `#/traces?${q({ ...RANGE, service: 'claude-code' })}`, /claude-code/],
    ['alerts', '#/alerts', /Alerts/],
    ['exports', '#/exports', /Exports/],
  ] as const) {
    const page = await open(hash);
    await page.locator('main section').waitFor();
    await page.waitForFunction(() => !document.querySelector('[role="status"]'));
    t.match(await page.locator('main').textContent(), expect, `${name} renders`);
    t.equal(await page.locator('[role="alert"]').count(), 0, `${name}: no error shown`);
    await checkPage(t, page, name);
    await page.close();
  }
});

t.test('nothing was fetched outside the service', async (t) => {
  t.same(outside, []);
});
