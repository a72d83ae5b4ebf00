// Jobs in the settings file: the example of issue 13 as written, and errors that name the file, the job and
// the field. The example's report job is run on a scratch store from a temporary working directory (its
// destinations are relative).
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import { JobScheduler } from '../../src/jobs/scheduler.js';
import { filesToPrune, nextTick, planRun, previousTick, runIdOf, SETTLE_LAG_MS } from '../../src/jobs/plan.js';
import { JobSchema } from '../../src/jobs/config.js';
import { scratchStore } from '../helpers/store.js';

const dir = mkdtempSync(join(tmpdir(), 'tracemill-jobcfg-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const EXAMPLE = `jobs:
  - name: nightly-corpus
    schedule: "0 3 * * *"
    kind: corpus
    format: openai-chat
    filters: { service: my-agent }
    start: 7d
    destination: ./exports/nightly
    keep: 30
  - name: weekly-report
    schedule: "0 8 * * 1"
    kind: report
    format: html
    destination: ./exports/reports
`;

function configWith(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  return () => loadConfig({ TRACEMILL_CONFIG: file }, { dataDir: join(dir, 'data') });
}

t.test('the example of the issue loads and its report job runs', async (t) => {
  const config = configWith('example.yaml', EXAMPLE)();
  t.equal(config.jobs.length, 2);
  t.match(config.jobs[0], { name: 'nightly-corpus', kind: 'corpus', format: 'openai-chat', filters: { service: 'my-agent' }, start: '7d', keep: 30 });
  t.match(config.jobs[1], { name: 'weekly-report', kind: 'report', format: 'html', destination: './exports/reports' });
  const store = await scratchStore(t, 'jobcfg');
  const cwd = process.cwd();
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  const s = new JobScheduler({ store, jobs: config.jobs, defaultProject: 'default', log: { info() {}, warn() {}, error() {} }, baseUrl: () => 'http://127.0.0.1:4318', claimWaitMs: 10 });
  const r = await s.runNow('weekly-report');
  t.equal(r.status, 'ok');
  t.ok(existsSync(join(dir, 'exports/reports', `weekly-report-${r.run_id}.html`)), 'the HTML report is in ./exports/reports');
  const week = new Date(r.window_to!).getTime() - new Date(r.window_from!).getTime();
  t.ok(week >= 7 * 86_400_000 - 1 && week <= 7 * 86_400_000 + 3_600_000, 'the first report covers one schedule interval (a week)');
  const list = await s.list();
  t.same(list.map((j) => [j.name, new Date(j.next_run!).getUTCHours(), j.timezone]), [
    ['nightly-corpus', 3, 'UTC'],
    ['weekly-report', 8, 'UTC'],
  ]);
  t.same(readdirSync(join(dir, 'exports/reports')).filter((n) => n.startsWith('.tmp')), []);
});

t.test('errors name the file, the job and the field', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['bad-schedule.yaml', EXAMPLE.replace('"0 8 * * 1"', '"0 8 * * 1 * 2026"'), /bad-schedule\.yaml: job "weekly-report" \(jobs\[1\]\): schedule: .*5 or 6 parts/],
    ['bad-minute.yaml', EXAMPLE.replace('"0 3 * * *"', '"61 3 * * *"'), /job "nightly-corpus" \(jobs\[0\]\): schedule: Invalid value for minute/],
    ['bad-kind.yaml', EXAMPLE.replace('kind: report', 'kind: pdf'), /job "weekly-report" \(jobs\[1\]\): kind: /],
    ['bad-format.yaml', EXAMPLE.replace('format: html', 'format: pdf'), /job "weekly-report" \(jobs\[1\]\): format: a report is json, md, html/],
    ['bad-start.yaml', EXAMPLE.replace('start: 7d', 'start: last week'), /job "nightly-corpus" \(jobs\[0\]\): start: an ISO-8601/],
    ['bad-field.yaml', EXAMPLE.replace('keep: 30', 'keep: 30\n    kept: 3'), /job "nightly-corpus" \(jobs\[0\]\): .*kept/],
    ['bad-keep.yaml', EXAMPLE.replace('keep: 30', 'keep: -1'), /job "nightly-corpus" \(jobs\[0\]\): keep: /],
    ['bad-tz.yaml', EXAMPLE.replace('kind: report', 'kind: report\n    timezone: Mars/Base'), /job "weekly-report" \(jobs\[1\]\): timezone: .*Mars\/Base/],
    ['dup.yaml', EXAMPLE.replace('name: weekly-report', 'name: nightly-corpus'), /job "nightly-corpus" \(jobs\[1\]\): name: "nightly-corpus" is used by an earlier job/],
    ['no-dest.yaml', EXAMPLE.replace('    destination: ./exports/reports\n', ''), /job "weekly-report" \(jobs\[1\]\): destination: /],
    ['no-format.yaml', EXAMPLE.replace('    format: openai-chat\n', ''), /job "nightly-corpus" \(jobs\[0\]\): format: a corpus job needs a format/],
  ];
  for (const [name, text, re] of cases) {
    try {
      configWith(name, text)();
      t.fail(`${name} was accepted`);
    } catch (e) {
      t.ok(e instanceof ConfigError, `${name}: a ConfigError`);
      t.match((e as Error).message, re, name);
    }
  }
});

t.test('planning', async (t) => {
  const j = JobSchema.parse({ name: 'n', schedule: '0 3 * * *', kind: 'corpus', format: 'f', destination: '/x' });
  const tick = new Date('2026-12-07T03:00:00Z');
  t.equal(nextTick(j, new Date('2026-12-07T02:59:59Z'))?.toISOString(), tick.toISOString());
  t.equal(previousTick(j, tick)?.toISOString(), '2026-12-06T03:00:00.000Z');
  t.equal(nextTick({ schedule: '0 3 * * *', timezone: 'Europe/Paris' }, tick)?.toISOString(), '2026-12-08T02:00:00.000Z', 'in the job’s time zone');
  const first = planRun(j, tick, undefined);
  t.same([first.from, first.to.getTime(), first.empty], [undefined, tick.getTime() - SETTLE_LAG_MS, false], 'corpus: all retained data, settled up to a minute before the tick');
  const w = new Date('2026-12-06T02:59:00Z');
  t.equal(planRun(j, tick, w).from, w, 'from the watermark');
  t.equal(runIdOf(tick), '20261207T030000.000Z');
  const names = ['n-20261205T030000.000Z.html', 'n-20261205T030000.000Z.manifest.json', 'n-20261206T030000.000Z.html', 'n-20261207T030000.000Z-corpus.jsonl', 'nn-20261201T030000.000Z.html', 'other'];
  t.same(filesToPrune(names, 'n', 2), ['n-20261205T030000.000Z.html', 'n-20261205T030000.000Z.manifest.json']);
  t.same(filesToPrune(names, 'n', undefined), []);
});
