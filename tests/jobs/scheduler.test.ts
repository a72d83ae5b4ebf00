// The job scheduler on a real embedded store, without the HTTP service: two replicas sharing one ClickHouse
// claim the same tick and only one runs it; a 6-field (seconds) schedule fires on its own; a run that cannot
// write logs why; keep removes the files of older runs.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { JobSchema } from '../../src/jobs/config.js';
import { JobScheduler } from '../../src/jobs/scheduler.js';
import { recentRuns } from '../../src/store/exports.js';
import { scratchStore } from '../helpers/store.js';

const store = await scratchStore(t, 'scheduler');
const dir = mkdtempSync(join(tmpdir(), 'tracemill-sched-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function collector() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

const job = (over: Record<string, unknown>) => JobSchema.parse({ schedule: '0 8 * * 1', kind: 'report', format: 'md', destination: join(dir, 'out'), ...over });

t.test('two replicas, one tick: exactly one runs it', async (t) => {
  const j = job({ name: 'shared', destination: join(dir, 'shared') });
  const a = new JobScheduler({ store, jobs: [j], defaultProject: 'default', log: collector().log, baseUrl: () => '', replica: 'replica-a', claimWaitMs: 300 });
  const b = new JobScheduler({ store, jobs: [j], defaultProject: 'default', log: collector().log, baseUrl: () => '', replica: 'replica-b', claimWaitMs: 300 });
  const tick = new Date('2026-11-30T08:00:00Z');
  const [ra, rb] = await Promise.all([a.runTick(j, tick, 'schedule'), b.runTick(j, tick, 'schedule')]);
  t.equal([ra, rb].filter(Boolean).length, 1, 'one replica ran the tick, the other stood down');
  const runs = await recentRuns(store, 'shared', 10);
  t.equal(runs.length, 1, 'one run in the history');
  t.equal(runs[0].status, 'ok');
  t.equal(readdirSync(join(dir, 'shared')).filter((n) => n.endsWith('.md')).length, 1, 'one file');
  // The same tick again (a restarted replica): the claim is taken, nothing runs twice.
  const again = await Promise.all([a.runTick(j, tick, 'schedule'), b.runTick(j, tick, 'schedule')]);
  t.same(again, [undefined, undefined], 'a tick offered again runs nowhere');
  t.equal((await recentRuns(store, 'shared', 10)).length, 1);
});

t.test('a 6-field schedule (seconds first) fires by itself; keep prunes older runs', async (t) => {
  const j = job({ name: 'ticking', schedule: '*/1 * * * * *', destination: join(dir, 'ticking'), keep: 2 });
  const c = collector();
  const s = new JobScheduler({ store, jobs: [j], defaultProject: 'default', log: c.log, baseUrl: () => '', claimWaitMs: 10 });
  s.start();
  const deadline = Date.now() + 30_000;
  while ((await recentRuns(store, 'ticking', 10)).filter((r) => r.status === 'ok').length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await s.close();
  const runs = (await recentRuns(store, 'ticking', 100)).filter((r) => r.status === 'ok');
  t.ok(runs.length >= 4, `${runs.length} runs on schedule`);
  t.ok(runs.every((r) => r.trigger === 'schedule' && r.tick.getUTCMilliseconds() === 0), 'at whole-second ticks');
  const sorted = [...runs].sort((x, y) => x.run_id.localeCompare(y.run_id));
  for (let i = 1; i < sorted.length; i++) t.equal(sorted[i].window_from?.getTime(), sorted[i - 1].watermark?.getTime(), `run ${i} starts where run ${i - 1} ended`);
  const files = readdirSync(join(dir, 'ticking'));
  t.equal(files.filter((n) => n.endsWith('.manifest.json')).length, 2, 'keep: 2 runs of files remain');
  t.equal(files.filter((n) => n.endsWith('.md')).length, 2);
});

t.test('a run that cannot write says why in the log and the history', async (t) => {
  writeFileSync(join(dir, 'a-file'), '');
  const j = job({ name: 'unwritable', destination: join(dir, 'a-file', 'reports') });
  const c = collector();
  const s = new JobScheduler({ store, jobs: [j], defaultProject: 'default', log: c.log, baseUrl: () => '', claimWaitMs: 10 });
  const r = await s.runNow('unwritable');
  t.equal(r.status, 'failed');
  const line = c.lines.find((l) => l.level === 'error');
  t.ok(line, 'an error was logged');
  t.equal(line?.obj.job, 'unwritable');
  t.match(String(line?.obj.err), /ENOTDIR/);
  t.match(String(line?.obj.destination), /a-file/);
  t.match(line?.msg, /retries from the same watermark/);
  const [h] = await recentRuns(store, 'unwritable', 1);
  t.equal(h.status, 'failed');
  t.match(h.error, /ENOTDIR/);
});

t.test('corpus jobs go through the exporter adapter', async (t) => {
  const j = job({ name: 'corpus', kind: 'corpus', format: 'openai-chat', destination: join(dir, 'corpus'), filters: { service: 'x' } });
  let seen: unknown;
  const s = new JobScheduler({
    store,
    jobs: [j],
    defaultProject: 'p1',
    log: collector().log,
    baseUrl: () => '',
    claimWaitMs: 10,
    kinds: {
      // A stand-in with the exporter's call shape, to check what the adapter asks for and what it keeps.
      corpus: async ({ job, project, plan, outDir }) => {
        const { corpusRunner } = await import('../../src/jobs/kinds/corpus.js');
        return corpusRunner(async (_store, request, out) => {
          seen = request;
          writeFileSync(join(out, 'corpus.jsonl'), '{"messages":[]}\n');
          return { files: [{ name: 'corpus.jsonl' }], counts: { runs: 1 } };
        })({ store, job, project, plan, outDir, baseUrl: '' });
      },
    },
  });
  const r = await s.runNow('corpus');
  t.equal(r.status, 'ok');
  t.match(seen, { format: 'openai-chat', project: 'p1', service: 'x', settledUntil: r.window_to });
  t.notOk((seen as { settledAfter?: string }).settledAfter, 'first run: all retained data');
  t.ok(readdirSync(join(dir, 'corpus')).includes(`corpus-${r.run_id}-corpus.jsonl`));
  // The real exporter (writeExport) on an empty store: a run that exports nothing, with its manifest.
  const real = new JobScheduler({ store, jobs: [{ ...j, name: 'corpus2' }], defaultProject: 'p1', log: collector().log, baseUrl: () => '', claimWaitMs: 10 });
  const empty = await real.runNow('corpus2');
  t.equal(empty.status, 'ok', empty.error);
  t.ok(readdirSync(join(dir, 'corpus')).some((f) => f.startsWith(`corpus2-${empty.run_id}`) && f.endsWith('manifest.json')), 'the exporter wrote its manifest');
});

t.test('the webhook receives the manifest', async (t) => {
  const { createServer } = await import('node:http');
  const got: { body: string; type: string | undefined }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ body, type: req.headers['content-type'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  const j = job({ name: 'hooked', destination: join(dir, 'hooked'), webhook: `http://127.0.0.1:${port}/done` });
  const s = new JobScheduler({ store, jobs: [j], defaultProject: 'default', log: collector().log, baseUrl: () => '', claimWaitMs: 10 });
  const r = await s.runNow('hooked');
  t.equal(r.status, 'ok');
  t.equal(r.webhook, 'ok 204');
  t.equal(got.length, 1);
  t.equal(got[0].type, 'application/json');
  const m = JSON.parse(got[0].body) as { job: string; run_id: string; files: { name: string; sha256: string }[] };
  t.match(m, { job: 'hooked', run_id: r.run_id });
  t.same(m.files.map((f) => f.name), [`hooked-${r.run_id}.md`]);
  t.match(m.files[0].sha256, /^[0-9a-f]{64}$/);
  const [h] = await recentRuns(store, 'hooked', 1);
  t.equal(h.webhook, 'ok 204', 'the outcome is in the history');
});
