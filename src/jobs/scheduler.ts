// The I/O loop of scheduled jobs: timers at each job's cron ticks, the claim in ClickHouse (one replica per
// tick), files written under a temporary directory and renamed into place, the run history, the manifest,
// the webhook, logs and counters. What to run and over which window is decided by plan.ts.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Store } from '../store/clickhouse.js';
import { type RunRow, claimTick, getRun, lastWatermark, recentRuns, writeRun } from '../store/exports.js';
import type { Job, JobKind } from './config.js';
import { corpusRunner } from './kinds/corpus.js';
import { runReportJob } from './kinds/report.js';
import type { KindRunner } from './kinds/types.js';
import type { RunManifest, RunRecord } from './model.js';
import { filesToPrune, manifestName, nextTick, planRun, runFileName, runIdOf } from './plan.js';
import { TracemillError } from '../model/errors.js';

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SchedulerOptions {
  store: Store;
  jobs: readonly Job[];
  defaultProject: string;
  log: Log;
  /** Where the API is reached (links in reports). */
  baseUrl(): string;
  /** Told of every finished run (the /metrics counters). */
  onRun?(job: string, status: 'ok' | 'failed' | 'skipped', finishedAt: Date): void;
  /** This process's id in the claims; default host:pid:random. */
  replica?: string;
  /** How long a claim waits for other replicas' claims before reading the winner (ms). */
  claimWaitMs?: number;
  kinds?: Partial<Record<JobKind, KindRunner>>;
  /** TRACEMILL_HARNESS_ATTRIBUTES, for reports. */
  harnessAttributes?: readonly string[];
}

export class UnknownJobError extends TracemillError {
  override name = 'UnknownJobError';
  constructor(message: string) {
    super('not_found', message);
  }
}

/** Longest single setTimeout; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const WEBHOOK_TIMEOUT_MS = 10_000;

export function recordOf(r: RunRow): RunRecord {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    job: r.job,
    run_id: r.run_id,
    tick: r.tick.toISOString(),
    replica: r.replica,
    trigger: r.trigger,
    status: r.status,
    started_at: r.started_at.toISOString(),
    finished_at: iso(r.finished_at),
    window_from: iso(r.window_from),
    window_to: iso(r.window_to),
    watermark: iso(r.watermark),
    files: r.files,
    bytes: r.bytes,
    error: r.error,
    webhook: r.webhook,
  };
}

export class JobScheduler {
  readonly replica: string;
  private readonly jobs = new Map<string, Job>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly next = new Map<string, Date | null>();
  /** One run at a time per job in this process. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly kinds: Record<JobKind, KindRunner>;
  private closed = false;

  constructor(private readonly opts: SchedulerOptions) {
    for (const j of opts.jobs) this.jobs.set(j.name, j);
    this.replica = opts.replica ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const corpus = corpusRunner();
    this.kinds = { report: runReportJob, corpus, records: corpus, ...opts.kinds };
  }

  /** Arms a timer for each job's next tick. */
  start(): void {
    for (const job of this.jobs.values()) this.arm(job, new Date());
  }

  private arm(job: Job, after: Date): void {
    if (this.closed) return;
    const tick = nextTick(job, after);
    this.next.set(job.name, tick);
    if (!tick) return;
    const wait = () => {
      const ms = tick.getTime() - Date.now();
      const timer = setTimeout(
        () => {
          if (tick.getTime() - Date.now() > 0) return wait(); // a long wait, re-armed
          void this.runTick(job, tick, 'schedule')
            .catch((e: Error) => this.opts.log.error({ job: job.name, err: e.message }, 'scheduled job failed'))
            .finally(() => this.arm(job, new Date(Math.max(Date.now(), tick.getTime()))));
        },
        Math.max(0, Math.min(ms, MAX_TIMER_MS)),
      );
      timer.unref();
      this.timers.set(job.name, timer);
    };
    wait();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.chains.values()]);
  }

  job(name: string): Job {
    const j = this.jobs.get(name);
    if (!j) throw new UnknownJobError(`no job named "${name}" (jobs: ${[...this.jobs.keys()].join(', ') || 'none configured'})`);
    return j;
  }

  projectOf(job: Job): string {
    return job.project ?? this.opts.defaultProject;
  }

  /** Jobs (of `project`, when given) with their newest runs and next tick. */
  async list(project?: string, runs = 5) {
    const jobs = [...this.jobs.values()].filter((j) => project === undefined || this.projectOf(j) === project);
    return Promise.all(
      jobs.map(async (j) => {
        const next = this.next.has(j.name) ? this.next.get(j.name) : nextTick(j, new Date());
        return {
          name: j.name,
          kind: j.kind,
          format: j.format ?? 'html',
          schedule: j.schedule,
          timezone: j.timezone ?? 'UTC',
          destination: resolve(j.destination),
          keep: j.keep ?? null,
          next_run: next ? next.toISOString() : null,
          last_runs: (await recentRuns(this.opts.store, j.name, runs)).map(recordOf),
        };
      }),
    );
  }

  async getRun(name: string, runId: string): Promise<(RunRecord & { manifest: RunManifest | null }) | undefined> {
    this.job(name);
    const r = await getRun(this.opts.store, name, runId);
    if (!r) return undefined;
    return { ...recordOf(r), manifest: r.manifest ? (JSON.parse(r.manifest) as RunManifest) : null };
  }

  /** Runs a job now (POST /api/v1/exports/{job}/run, tracemill exports run). */
  async runNow(name: string): Promise<RunRecord> {
    const r = await this.runTick(this.job(name), new Date(), 'manual');
    if (!r) throw new Error(`another replica claimed this run of ${name}`);
    return r;
  }

  /** Claims and runs one tick; undefined when another replica won the claim. */
  runTick(job: Job, tick: Date, trigger: 'schedule' | 'manual'): Promise<RunRecord | undefined> {
    const prev = this.chains.get(job.name) ?? Promise.resolve();
    const run = prev.then(() => this.execute(job, tick, trigger));
    const tail = run.catch(() => undefined);
    this.chains.set(job.name, tail);
    void tail.then(() => {
      if (this.chains.get(job.name) === tail) this.chains.delete(job.name);
    });
    return run;
  }

  private async execute(job: Job, tick: Date, trigger: 'schedule' | 'manual'): Promise<RunRecord | undefined> {
    const { store, log } = this.opts;
    const project = this.projectOf(job);
    const won = await claimTick(store, job.name, tick, this.replica, this.opts.claimWaitMs ?? 2000);
    // The winner of a tick that already has a successful run (the same tick offered twice) does not redo it.
    const done = won && (await getRun(store, job.name, runIdOf(tick)))?.status === 'ok';
    if (!won || done) {
      log.info({ job: job.name, tick: tick.toISOString() }, done ? 'this tick has run already' : 'another replica runs this tick');
      this.opts.onRun?.(job.name, 'skipped', new Date());
      return undefined;
    }
    const row: RunRow = {
      job: job.name,
      run_id: '',
      tick,
      replica: this.replica,
      trigger,
      status: 'running',
      started_at: new Date(),
      finished_at: null,
      window_from: null,
      window_to: null,
      watermark: null,
      files: 0,
      bytes: 0,
      manifest: '',
      error: '',
      webhook: '',
    };
    const dest = resolve(job.destination);
    let tmp: string | undefined;
    const placed: string[] = [];
    try {
      // From the newest successful run's watermark: a failed run leaves it where it was, so the next run
      // covers the failed run's window too.
      const plan = planRun(job, tick, await lastWatermark(store, job.name));
      Object.assign(row, { run_id: plan.runId, window_from: plan.from ?? null, window_to: plan.to, watermark: plan.watermark });
      await writeRun(store, row);
      mkdirSync(dest, { recursive: true });
      tmp = join(dest, `.tmp-${job.name}-${plan.runId}-${this.replica.replace(/[^A-Za-z0-9]/g, '_')}`);
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp);
      const result = plan.empty ? { files: [], counts: {} } : await this.kinds[job.kind]({ store, job, project, plan, outDir: tmp, baseUrl: this.opts.baseUrl(), harnessAttributes: this.opts.harnessAttributes });
      const files = result.files.map((name) => {
        const from = join(tmp as string, name);
        const bytes = readFileSync(from);
        return { name: runFileName(job.name, plan.runId, name), from, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      });
      // Data files first, each renamed into place (atomic on one filesystem); the manifest last, once the
      // history says ok: a reader that goes by manifests never sees a run that did not finish.
      for (const f of files) {
        renameSync(f.from, join(dest, f.name));
        placed.push(join(dest, f.name));
      }
      const finished = new Date();
      const manifest: RunManifest = {
        job: job.name,
        run_id: plan.runId,
        kind: job.kind,
        format: job.format ?? 'html',
        project,
        trigger,
        tick: tick.toISOString(),
        window: { from: plan.from?.toISOString() ?? null, to: plan.to.toISOString(), basis: job.kind === 'report' ? 'start_time' : 'settled_at' },
        watermark: plan.watermark.toISOString(),
        started_at: row.started_at.toISOString(),
        finished_at: finished.toISOString(),
        files: files.map((f) => ({ name: f.name, path: join(dest, f.name), bytes: f.bytes, sha256: f.sha256 })),
        counts: result.counts,
        ...(result.export !== undefined ? { export: result.export } : {}),
      };
      const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
      writeFileSync(join(tmp, 'manifest.json'), manifestText);
      Object.assign(row, { status: 'ok', finished_at: finished, files: files.length, bytes: files.reduce((n, f) => n + f.bytes, 0), manifest: manifestText });
      await writeRun(store, row);
      renameSync(join(tmp, 'manifest.json'), join(dest, manifestName(job.name, plan.runId)));
      rmSync(tmp, { recursive: true, force: true });
      this.prune(job, dest);
      log.info({ job: job.name, run: plan.runId, files: files.length, counts: result.counts }, 'job run finished');
      this.opts.onRun?.(job.name, 'ok', finished);
      if (job.webhook) {
        row.webhook = await this.callWebhook(job.webhook, manifestText);
        await writeRun(store, row).catch((e: Error) => log.warn({ job: job.name, err: e.message }, 'could not record the webhook outcome'));
      }
      return recordOf(row);
    } catch (e) {
      const err = e as Error;
      // Files of a run that did not finish are taken back: the next run covers the same window again.
      for (const p of placed) rmSync(p, { force: true });
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      Object.assign(row, { status: 'failed', finished_at: new Date(), files: 0, bytes: 0, manifest: '', error: err.message });
      log.error({ job: job.name, run: row.run_id, destination: dest, err: err.message }, 'job run failed; the next tick retries from the same watermark');
      this.opts.onRun?.(job.name, 'failed', row.finished_at as Date);
      if (!row.run_id) row.run_id = runIdOf(tick);
      await writeRun(store, row).catch((e2: Error) => log.error({ job: job.name, err: e2.message }, 'could not record the failed run'));
      return recordOf(row);
    }
  }

  private prune(job: Job, dest: string): void {
    try {
      for (const name of filesToPrune(readdirSync(dest), job.name, job.keep)) unlinkSync(join(dest, name));
    } catch (e) {
      this.opts.log.warn({ job: job.name, err: (e as Error).message }, 'could not remove past files');
    }
  }

  private async callWebhook(url: string, body: string): Promise<string> {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) this.opts.log.warn({ url, status: res.status }, 'webhook refused the manifest');
      return `${res.ok ? 'ok' : 'failed'} ${res.status}`;
    } catch (e) {
      this.opts.log.warn({ url, err: (e as Error).message }, 'webhook not reached');
      return `failed: ${(e as Error).message}`;
    }
  }
}
