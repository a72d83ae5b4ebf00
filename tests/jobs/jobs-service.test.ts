// Scheduled report jobs in a real service on the embedded store: a job run twice with new traces between
// (and a restart between the runs), and a run that fails because its destination cannot be created, redone
// once the fault is gone. Runs are started with POST /api/v1/exports/{job}/run; the tick-driven path is in
// scheduler.test.ts. Agent runs are exported by the real OpenTelemetry SDK (tests/helpers/spans.ts).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { type Service, startService } from '../../src/service.js';
import { CLI } from '../helpers/child.js';
import { exportWith, makeSpans } from '../helpers/spans.js';

const dir = mkdtempSync(join(tmpdir(), 'tracemill-jobs-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const dataDir = join(dir, 'data');
const reports = join(dir, 'reports');
const blocked = join(dir, 'blk');
const configFile = join(dir, 'tracemill.yaml');
writeFileSync(
  configFile,
  `jobs:
  - name: weekly-report
    schedule: "0 8 * * 1"
    kind: report
    format: json
    start: 1h
    destination: ${reports}
  - name: fragile-report
    schedule: "0 8 * * 1"
    kind: report
    format: json
    start: 1h
    destination: ${join(blocked, 'out')}
`,
);

async function start(): Promise<Service> {
  const config = loadConfig({ TRACEMILL_CONFIG: configFile }, { dataDir, httpPort: 0, grpcPort: 0, logLevel: 'silent', settleMs: 60_000 });
  return startService(config, { jobs: { claimWaitMs: 20 } });
}

let svc = await start();
t.teardown(() => svc.close());

let traces = 0;
async function ingest(n: number): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` });
  await exportWith(exporter, makeSpans(`batch-${traces}`, { count: n }));
  await exporter.shutdown();
  await svc.normalizer.flush();
  traces += n;
}

interface Run {
  run_id: string;
  status: string;
  error: string;
  window_from: string | null;
  window_to: string | null;
  watermark: string | null;
  files: number;
}
async function runJob(name: string): Promise<Run> {
  const res = await fetch(`${svc.httpUrl}/api/v1/exports/${name}/run`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`run ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Run;
}
interface Manifest {
  files: { name: string; path: string; sha256: string; bytes: number }[];
  counts: { runs: number };
  window: { from: string | null; to: string };
}
async function manifestOf(job: string, run: string): Promise<Manifest> {
  const res = await fetch(`${svc.httpUrl}/api/v1/exports/${job}/runs/${run}`);
  const body = (await res.json()) as { manifest: Manifest };
  return body.manifest;
}
/** The trace ids in a JSON report file: its examples name them; its totals count them. */
function reportRuns(path: string): number {
  return (JSON.parse(readFileSync(path, 'utf8')) as { totals: { runs: number } }).totals.runs;
}

const counted: Record<string, number[]> = { 'weekly-report': [], 'fragile-report': [] };

await ingest(3);
const w1 = await runJob('weekly-report');
const f1 = await runJob('fragile-report');

t.test('a first run covers everything since start', async (t) => {
  t.equal(w1.status, 'ok');
  t.equal(f1.status, 'ok');
  const m = await manifestOf('weekly-report', w1.run_id);
  t.equal(m.files.length, 1);
  t.equal(m.files[0].path, join(reports, `weekly-report-${w1.run_id}.json`));
  t.equal(reportRuns(m.files[0].path), 3);
  const bytes = readFileSync(m.files[0].path);
  t.same([m.files[0].bytes, m.files[0].sha256], [bytes.length, createHash('sha256').update(bytes).digest('hex')], 'size and sha256 of the file');
  t.equal(m.counts.runs, 3);
  t.ok(existsSync(join(reports, `weekly-report-${w1.run_id}.manifest.json`)), 'the manifest file is beside it');
  t.same(readdirSync(reports).filter((n) => n.startsWith('.tmp')), [], 'no temporary left');
  counted['weekly-report'].push(m.counts.runs);
  counted['fragile-report'].push((await manifestOf('fragile-report', f1.run_id)).counts.runs);
});

t.test('new traces, a restart, and the second run holds exactly the new runs', async (t) => {
  // The fragile job's destination becomes impossible: its parent is now a regular file (root can write
  // anywhere, so a read-only mode would not stop this test's process).
  rmSync(blocked, { recursive: true, force: true });
  writeFileSync(blocked, 'not a directory');
  await ingest(2);
  await svc.close();
  svc = await start();
  const list = (await (await fetch(`${svc.httpUrl}/api/v1/exports`)).json()) as { jobs: { name: string; next_run: string; last_runs: Run[] }[] };
  const weekly = list.jobs.find((j) => j.name === 'weekly-report');
  t.equal(weekly?.last_runs[0]?.run_id, w1.run_id, 'the history survived the restart');
  t.equal(new Date(weekly!.next_run).getUTCDay(), 1, 'next run: a Monday');
  const w2 = await runJob('weekly-report');
  t.equal(w2.status, 'ok');
  t.equal(w2.window_from, w1.watermark, 'starts at the first run’s watermark');
  const m = await manifestOf('weekly-report', w2.run_id);
  t.equal(reportRuns(m.files[0].path), 2, 'exactly the two new runs');
  counted['weekly-report'].push(m.counts.runs);
});

t.test('a run that cannot write fails, says why, and is redone from the same watermark', async (t) => {
  const failed = await runJob('fragile-report');
  t.equal(failed.status, 'failed');
  t.match(failed.error, /ENOTDIR|not a directory/i, 'the history says why');
  t.match(failed.error, /blk/, 'and names the path');
  t.equal(failed.window_from, f1.watermark);
  const again = (await (await fetch(`${svc.httpUrl}/api/v1/exports/fragile-report/runs/${failed.run_id}`)).json()) as Run & { manifest: unknown };
  t.equal(again.status, 'failed');
  t.equal(again.manifest, null);
  const metrics = await (await fetch(`${svc.httpUrl}/metrics`)).text();
  t.match(metrics, /tracemill_job_runs_total\{job="fragile-report",status="failed"\} 1/);

  await ingest(1);
  unlinkSync(blocked); // the fault is gone
  const redone = await runJob('fragile-report');
  t.equal(redone.status, 'ok');
  t.equal(redone.window_from, f1.watermark, 'from the last successful run’s watermark, as the failed run');
  const m = await manifestOf('fragile-report', redone.run_id);
  t.equal(reportRuns(m.files[0].path), 3, 'the two runs of the failed window and the one since');
  counted['fragile-report'].push(m.counts.runs);
  const metrics2 = await (await fetch(`${svc.httpUrl}/metrics`)).text();
  t.match(metrics2, /tracemill_job_runs_total\{job="fragile-report",status="ok"\} 1/);
});

t.test('the CLI lists and runs jobs through the running service; over all runs, each agent run reported once', async (t) => {
  const env = { ...process.env, TRACEMILL_DATA_DIR: dataDir, TRACEMILL_URL: svc.httpUrl, TRACEMILL_CONFIG: configFile };
  const list = await promisify(execFile)(process.execPath, [CLI, 'exports', 'list'], { env });
  t.match(list.stdout, /weekly-report\s+report\/json\s+"0 8 \* \* 1" UTC/);
  t.match(list.stdout, /fragile-report[\s\S]*last run: \S+ ok/);
  const run = await promisify(execFile)(process.execPath, [CLI, 'exports', 'run', 'weekly-report'], { env });
  t.match(run.stdout, /weekly-report run (\S+): ok, 1 files.*through the running service/);
  const w3 = /run (\S+):/.exec(run.stdout)![1];
  counted['weekly-report'].push((await manifestOf('weekly-report', w3)).counts.runs);
  t.equal(counted['weekly-report'].reduce((a, b) => a + b, 0), traces, `weekly: ${counted['weekly-report'].join(' + ')}`);
  t.equal(counted['fragile-report'].reduce((a, b) => a + b, 0), traces, `fragile: ${counted['fragile-report'].join(' + ')}`);
});

t.test('unknown jobs and runs: 404 naming them', async (t) => {
  const res = await fetch(`${svc.httpUrl}/api/v1/exports/nope/run`, { method: 'POST' });
  t.equal(res.status, 404);
  t.match(await res.text(), /nope/);
  const run = await fetch(`${svc.httpUrl}/api/v1/exports/weekly-report/runs/19700101T000000.000Z`);
  t.equal(run.status, 404);
});
