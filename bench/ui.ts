// Dashboard benchmark: how long each page takes to show its first view in headless Chromium, over N generated
// operations (default 1M) in embedded storage. First view: from just before the navigation starts to the
// first animation frame (the paint) at which the page's main content is in the document and no loading
// state is left outside the sections a page fills in afterwards (class `later`: the overview's failure
// modes). Complete: the same with no loading state anywhere. The page notes both moments itself (a
// MutationObserver on the document, read after Playwright has seen the content): Playwright's own wait polls
// at up to 500 ms intervals, which would add its polling delay to the figures. Run alone:
// node --import tsx bench/ui.ts [--spans=N] [--json]. Needs `npm run build` (the dashboard is served from
// dist/ui) and Debian's chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/service.js';
import { operationsSql } from './operations-sql.js';

const args = process.argv.slice(2);
const SPANS = Number(args.find((a) => a.startsWith('--spans='))?.slice(8) ?? 1_000_000);
const JSON_OUT = args.includes('--json');
const TARGET_MS = 1000;
const log = (...a: unknown[]) => {
  if (!JSON_OUT) console.log(...a);
};

const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-bench-ui-'));
const svc = await startService(loadConfig({}, { dataDir, httpPort: 0, grpcPort: 0, logLevel: 'warn', settleMs: 3_600_000 }));
const t0 = performance.now();
await svc.store.command(operationsSql(SPANS, Date.now()));
await svc.store.command('INSERT INTO trace_index SELECT project_id, trace_id, min(start_time), max(end_time) FROM operations GROUP BY project_id, trace_id');
await svc.store.command('OPTIMIZE TABLE operations FINAL');
log(`generated ${SPANS.toLocaleString()} operations in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
const [sample] = await svc.store.query<{ trace_id: string }>(`SELECT trace_id FROM operations WHERE kind = 'agent' ORDER BY trace_id LIMIT 1`);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const pages: [string, string, string][] = [
  ['overview, 7 days', '#/overview?from=7d', '.tile-value'],
  ['failures, 7 days', '#/failures?from=7d', 'table.list tbody tr'],
  ['traces, 7 days', '#/traces?from=7d', 'table.list tbody tr'],
  ['trace', `#/trace/${sample.trace_id}`, 'aside.detail'],
  ['compare two models, 7 days', '#/compare?a=model:model-0&b=model:model-1&from=7d', 'table.list tbody tr'],
];
type Shown = { firstView?: number; complete?: number };

/**
 * Run in the page before its own scripts: notes the wall-clock time of the first frame showing `ready` with no
 * loading state outside `.later` sections (firstView), and with none at all (complete). Plain JavaScript
 * text: tsx would wrap a compiled function's inner functions in a helper the page does not have.
 */
const noteShown = (ready: string) => `{
  const at = (key) => requestAnimationFrame(() => { window[key] = performance.timeOrigin + performance.now(); });
  const check = () => {
    if (!document.querySelector(${JSON.stringify(ready)})) return;
    if (!window.firstSeen && !document.querySelector('[role="status"]:not(.later [role="status"])')) { window.firstSeen = true; at('firstView'); }
    if (!document.querySelector('[role="status"]')) { observer.disconnect(); at('complete'); }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
}`;

const results: Record<string, unknown>[] = [];
log(`\n| Page (${(SPANS / 1e6).toFixed(1)}M operations) | first view p50 ms | max ms | complete p50 ms | target ms | met |\n| --- | --- | --- | --- | --- | --- |`);
for (const [name, hash, ready] of pages) {
  const times: number[] = [];
  const complete: number[] = [];
  for (let i = 0; i < 4; i++) {
    const page = await browser.newPage();
    await page.addInitScript({ content: noteShown(ready) });
    const start = Date.now(); // the same clock as the page's performance.timeOrigin + now()
    await page.goto(`${svc.httpUrl}/ui/${hash}`);
    await page.locator(ready).first().waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => (window as unknown as Shown).complete !== undefined, undefined, { timeout: 60_000 });
    const shown = await page.evaluate(() => {
      const w = window as unknown as Shown;
      return { firstView: w.firstView, complete: w.complete };
    });
    // The first load warms the engine's caches.
    if (i > 0) {
      times.push(shown.firstView! - start);
      complete.push(shown.complete! - start);
    }
    await page.close();
  }
  times.sort((a, b) => a - b);
  complete.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)];
  const max = times[times.length - 1];
  const completeP50 = complete[Math.floor(complete.length / 2)];
  results.push({ bench: 'ui', name, operations: SPANS, p50_ms: p50, max_ms: max, complete_p50_ms: completeP50, target_ms: TARGET_MS, met: p50 <= TARGET_MS });
  log(`| ${name} | ${p50.toFixed(0)} | ${max.toFixed(0)} | ${completeP50.toFixed(0)} | ${TARGET_MS} | ${p50 <= TARGET_MS ? 'yes' : 'no'} |`);
}
await browser.close();
await svc.close();
rmSync(dataDir, { recursive: true, force: true });
if (JSON_OUT) console.log(JSON.stringify({ results }));
