// Scheduled corpus and records jobs in a real service on the embedded store, through the corpus exporter
// (writeExport): a job run twice with new agent runs between (and a restart between), the second file holds
// exactly the new runs; a run that cannot write fails, says why, and is redone from the same watermark once
// the fault is gone, so over all runs every agent run is exported once. Runs are GenAI spans over OTLP/HTTP
// (tests/helpers/runs.ts); jobs are started with POST /api/v1/exports/{job}/run.
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { type Service, startService } from '../../src/service.js';
import { sendRuns } from '../helpers/runs.js';

const dir = mkdtempSync(join(tmpdir(), 'tracemill-corpus-jobs-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const dataDir = join(dir, 'data');
const blocked = join(dir, 'blk');
const configFile = join(dir, 'tracemill.yaml');
writeFileSync(
  configFile,
  `jobs:
  - name: nightly-corpus
    schedule: "0 3 * * *"
    kind: corpus
    format: openai-chat
    filters: { service: my-agent }
    start: 1h
    destination: ${join(dir, 'corpus')}
    keep: 30
  - name: fragile-records
    schedule: "0 3 * * *"
    kind: records
    format: records
    filters: { service: my-agent }
    start: 1h
    destination: ${join(blocked, 'out')}
`,
);

async function start(): Promise<Service> {
  const config = loadConfig({ TRACEMILL_CONFIG: configFile }, { dataDir, httpPort: 0, grpcPort: 0, logLevel: 'silent', settleMs: 60_000 });
  // No settle lag: every run here is settled (flushed) before the job runs.
  return startService(config, { jobs: { claimWaitMs: 20, settleLagMs: 0 } });
}
let svc = await start();
t.teardown(() => svc.close());

const sent = new Set<string>();
async function ingest(runs: number): Promise<void> {
  // Another service's runs too: the job's filter must keep them out.
  await sendRuns(svc.httpUrl, { service: 'other-agent', version: '1.0.0', runs: 1, tools: ['read_file'], start: new Date(Date.now() - 60_000) });
  const r = await sendRuns(svc.httpUrl, { service: 'my-agent', version: '1.0.0', runs, tools: ['read_file', 'edit_file'], errors: { edit_file: 1 }, start: new Date(Date.now() - 60_000), spreadMs: 10_000, messages: true });
  for (const id of r.traceIds) sent.add(id);
  await svc.normalizer.flush();
}

interface Run {
  run_id: string;
  status: string;
  error: string;
  window_from: string | null;
  watermark: string | null;
}
async function runJob(name: string): Promise<Run> {
  const res = await fetch(`${svc.httpUrl}/api/v1/exports/${name}/run`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`run ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Run;
}
interface Manifest {
  files: { name: string; path: string }[];
  counts: Record<string, number>;
}
async function manifestOf(job: string, run: string): Promise<Manifest> {
  return ((await (await fetch(`${svc.httpUrl}/api/v1/exports/${job}/runs/${run}`)).json()) as { manifest: Manifest }).manifest;
}
/** The trace ids the job's data files hold (examples name their run in metadata; records carry trace_id). */
function tracesIn(m: Manifest): string[] {
  const ids = new Set<string>();
  for (const f of m.files) {
    if (!/\.jsonl$/.test(f.path)) continue;
    const text = readFileSync(f.path, 'utf8');
    for (const id of text.match(/\b[0-9a-f]{32}\b/g) ?? []) if (sent.has(id)) ids.add(id);
  }
  return [...ids].sort();
}

const seen: Record<string, string[]> = { 'nightly-corpus': [], 'fragile-records': [] };

await ingest(3);

t.test('first runs: everything of my-agent since start', async (t) => {
  for (const job of ['nightly-corpus', 'fragile-records']) {
    const r = await runJob(job);
    t.equal(r.status, 'ok', `${job}: ${r.error}`);
    const m = await manifestOf(job, r.run_id);
    const ids = tracesIn(m);
    t.equal(ids.length, 3, `${job}: the three runs`);
    seen[job].push(...ids);
  }
});

let firstWatermark: string | null = null;

t.test('new runs, a restart, and the second corpus holds exactly the new runs', async (t) => {
  const list = (await (await fetch(`${svc.httpUrl}/api/v1/exports`)).json()) as { jobs: { name: string; last_runs: Run[] }[] };
  firstWatermark = list.jobs.find((j) => j.name === 'fragile-records')!.last_runs[0].watermark;
  rmSync(blocked, { recursive: true, force: true });
  writeFileSync(blocked, 'not a directory'); // the records job's destination can no longer be made
  await ingest(2);
  await svc.close();
  svc = await start();
  const r = await runJob('nightly-corpus');
  t.equal(r.status, 'ok', r.error);
  const ids = tracesIn(await manifestOf('nightly-corpus', r.run_id));
  t.equal(ids.length, 2, 'exactly the two new runs');
  t.same(ids.filter((id) => seen['nightly-corpus'].includes(id)), [], 'none exported twice');
  seen['nightly-corpus'].push(...ids);
});

t.test('a records run that cannot write fails, says why, and is redone from the same watermark', async (t) => {
  const failed = await runJob('fragile-records');
  t.equal(failed.status, 'failed');
  t.match(failed.error, /ENOTDIR|not a directory/i);
  t.equal(failed.window_from, firstWatermark, 'the failed run started at the last good watermark');
  await ingest(1);
  unlinkSync(blocked);
  const redone = await runJob('fragile-records');
  t.equal(redone.status, 'ok', redone.error);
  t.equal(redone.window_from, firstWatermark, 'redone from the same watermark');
  const ids = tracesIn(await manifestOf('fragile-records', redone.run_id));
  t.equal(ids.length, 3, 'the two runs of the failed window and the one since');
  t.same(ids.filter((id) => seen['fragile-records'].includes(id)), [], 'none exported twice');
  seen['fragile-records'].push(...ids);
});

t.test('over all runs, every agent run of my-agent exported exactly once', async (t) => {
  const r = await runJob('nightly-corpus');
  t.equal(r.status, 'ok');
  seen['nightly-corpus'].push(...tracesIn(await manifestOf('nightly-corpus', r.run_id)));
  for (const job of ['nightly-corpus', 'fragile-records']) {
    t.same([...seen[job]].sort(), [...sent].sort(), `${job}: each of the ${sent.size} runs once`);
  }
});
