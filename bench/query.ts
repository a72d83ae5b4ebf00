// Query benchmark: the query API over N generated agent spans (default 10 million) in embedded storage.
// The spans' normalized operations are generated inside ClickHouse (INSERT ... SELECT FROM numbers()),
// shaped like agent traffic: traces of 20 operations (an agent run, LLM calls, tool calls, now and then a
// subagent) over 14 days, 40 tools, 6 models, 12 agents, failures on about 6% of the calls, merged into one
// part per day (OPTIMIZE FINAL: the state background merges reach). Then the real HTTP endpoints are timed.
// Raw spans are not generated: the query API reads the operations table. Run alone: node --import tsx bench/query.ts [--spans=N] [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/service.js';

const args = process.argv.slice(2);
const SPANS = Number(args.find((a) => a.startsWith('--spans='))?.slice(8) ?? 10_000_000);
const JSON_OUT = args.includes('--json');
const log = (...a: unknown[]) => {
  if (!JSON_OUT) console.log(...a);
};

// --data-dir=D keeps the generated data in D and reuses it on the next run (for iterating on queries).
const keepDir = args.find((a) => a.startsWith('--data-dir='))?.slice(11);
const dataDir = keepDir ?? mkdtempSync(join(tmpdir(), 'tracemill-bench-query-'));
import { operationsSql } from './operations-sql.js';
const now = Date.now();
const svc = await startService(loadConfig({}, { dataDir, httpPort: 0, grpcPort: 0, logLevel: 'warn', settleMs: 3_600_000 }));

const t0 = performance.now();
const [{ existing }] = await svc.store.query<{ existing: string }>('SELECT count() AS existing FROM operations');
if (Number(existing) !== SPANS) {
  await svc.store.command('TRUNCATE TABLE operations');
  await svc.store.command('TRUNCATE TABLE trace_index');
  await svc.store.command(operationsSql(SPANS, now));
await svc.store.command(
  `INSERT INTO trace_index SELECT project_id, trace_id, min(start_time), max(end_time) FROM operations GROUP BY project_id, trace_id`,
);
  await svc.store.command('OPTIMIZE TABLE operations FINAL');
}
const genSeconds = (performance.now() - t0) / 1000;
const [{ rows, bytes }] = await svc.store.query<{ rows: string; bytes: string }>(
  `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND table = 'operations'`,
);
log(`${Number(existing) === SPANS ? 'reused' : 'generated'} ${Number(rows).toLocaleString()} operations (${(Number(bytes) / 2 ** 20).toFixed(0)} MiB on disk) in ${genSeconds.toFixed(0)} s`);

const [sample] = await svc.store.query<{ trace_id: string }>(
  `SELECT trace_id FROM operations WHERE day = today() - 3 AND kind = 'agent' LIMIT 1 OFFSET 777`,
);

async function time(path: string, runs: number): Promise<{ p50: number; p90: number; min: number; status: number }> {
  const ms: number[] = [];
  let status = 0;
  for (let i = 0; i < runs + 1; i++) {
    const t = performance.now();
    const res = await fetch(`${svc.httpUrl}${path}`);
    await res.arrayBuffer();
    status = res.status;
    if (i > 0) ms.push(performance.now() - t); // the first run warms caches
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)], p90: ms[Math.floor(ms.length * 0.9)], min: ms[0], status };
}

const cases: [string, string, number][] = [
  ['failure stats, 7 days, by tool', '/api/v1/failures/stats?from=7d&group_by=tool', 1000],
  ['failure stats, 7 days, by mode', '/api/v1/failures/stats?from=7d&group_by=mode', 1000],
  ['failure stats, 7 days, by tool+mode, compare=previous', '/api/v1/failures/stats?from=7d&group_by=tool,mode&compare=previous', 2000],
  ['tool stats, 7 days', '/api/v1/tools/stats?from=7d', 1000],
  ['failure instances, 7 days, first page', '/api/v1/failures?from=7d&mode=tool_error&limit=100', 1000],
  ['trace fetch', `/api/v1/traces/${sample.trace_id}`, 100],
];
const results: Record<string, unknown>[] = [];
log(`\n| Query (${(SPANS / 1e6).toFixed(1)}M spans) | p50 ms | p90 ms | target ms | met |\n| --- | --- | --- | --- | --- |`);
for (const [name, path, target] of cases) {
  const r = await time(path, 7);
  if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
  const met = r.p50 <= target;
  results.push({ bench: 'query', name, spans: SPANS, p50_ms: r.p50, p90_ms: r.p90, target_ms: target, met });
  log(`| ${name} | ${r.p50.toFixed(0)} | ${r.p90.toFixed(0)} | ${target} | ${met ? 'yes' : 'no'} |`);
}
await svc.close();
if (!keepDir) rmSync(dataDir, { recursive: true, force: true });
if (JSON_OUT) console.log(JSON.stringify({ generated_seconds: genSeconds, operations: Number(rows), bytes_on_disk: Number(bytes), results }));
