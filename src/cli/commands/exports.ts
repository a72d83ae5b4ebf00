import { loadConfig } from '../../config.js';
import { JobScheduler, UnknownJobError } from '../../jobs/scheduler.js';
import type { RunRecord } from '../../jobs/model.js';
import { openStore } from '../../store/clickhouse.js';
import { migrate } from '../../store/migrate.js';
import type { Command } from '../command.js';
import { ServiceUnreachableError, callService, serviceUrl } from '../remote.js';

const USAGE = 'tracemill exports list | tracemill exports run NAME';

interface JobLine {
  name: string;
  kind: string;
  format: string;
  schedule: string;
  timezone: string;
  destination: string;
  next_run: string | null;
  last_runs: RunRecord[];
}

function printJobs(jobs: JobLine[]): void {
  if (jobs.length === 0) {
    console.log('no jobs configured (jobs: in the TRACEMILL_CONFIG file, docs/jobs.md)');
    return;
  }
  for (const j of jobs) {
    const last = j.last_runs[0];
    console.log(`${j.name}  ${j.kind}/${j.format}  "${j.schedule}" ${j.timezone}  -> ${j.destination}`);
    console.log(`  next run: ${j.next_run ?? 'never'}`);
    console.log(`  last run: ${last ? `${last.run_id} ${last.status}${last.error ? `: ${last.error}` : ''} (${last.files} files, ${last.bytes} bytes)` : 'none'}`);
  }
}

function printRun(r: RunRecord, how: string): number {
  console.log(`${r.job} run ${r.run_id}: ${r.status}${r.error ? `: ${r.error}` : ''}, ${r.files} files, ${r.bytes} bytes, window ${r.window_from ?? 'start'} .. ${r.window_to} (${how})`);
  return r.status === 'ok' ? 0 : 1;
}

/**
 * Through the running service when one answers (so its replica claims the run and its counters see it);
 * otherwise on the store directly.
 */
async function viaServiceOr<T>(remote: () => Promise<T>, local: (s: JobScheduler) => Promise<T>): Promise<T> {
  try {
    return await remote();
  } catch (e) {
    if (!(e instanceof ServiceUnreachableError)) throw e;
  }
  const config = loadConfig();
  const store = openStore(config);
  try {
    await migrate(store, { retentionDays: config.retentionDays });
    const log = { info: () => undefined, warn: (o: object, m: string) => console.error(m, o), error: (o: object, m: string) => console.error(m, o) };
    const scheduler = new JobScheduler({ store, jobs: config.jobs, defaultProject: config.defaultProject, harnessAttributes: config.harnessAttributes, log, baseUrl: () => serviceUrl(config), claimWaitMs: 500 });
    return await local(scheduler);
  } finally {
    await store.close();
  }
}

export const exportsCommand: Command = {
  summary: 'List scheduled jobs with their last runs and next run time, or run one now. Goes through the running service when there is one.',
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const [sub, name] = args;
    const config = loadConfig();
    if (sub === 'list') {
      const jobs = await viaServiceOr(
        async () => (await callService<{ jobs: JobLine[] }>(config, 'GET', '/api/v1/exports')).jobs,
        (s) => s.list(),
      );
      printJobs(jobs);
      return 0;
    }
    if (sub === 'run' && name) {
      let how = 'through the running service';
      const run = await viaServiceOr(
        () => callService<RunRecord>(config, 'POST', `/api/v1/exports/${encodeURIComponent(name)}/run`),
        (s) => {
          how = 'on the store directly';
          return s.runNow(name);
        },
      ).catch((e: Error) => {
        if (!(e instanceof UnknownJobError)) throw e;
        console.error(`tracemill exports: ${e.message}`);
        return undefined;
      });
      return run ? printRun(run, how) : 1;
    }
    console.error(`usage: ${USAGE}`);
    return 2;
  },
};
