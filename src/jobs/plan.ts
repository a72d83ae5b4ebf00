// Planning of scheduled jobs: when a job runs next, what window a run covers, what a run's files are named and
// which past files to drop. Pure functions of the job, the clock and the last watermark; the I/O loop is
// scheduler.ts.
import { Cron } from 'croner';
import { parseTimeExpr } from '../time.js';
import type { Job } from './config.js';

/**
 * corpus and records runs take the agent runs settled up to a minute before the tick: a settle pass that
 * started before the tick may still be writing, and its runs belong to the next window, not to none.
 */
export const SETTLE_LAG_MS = 60_000;

function cron(job: Pick<Job, 'schedule' | 'timezone'>): Cron {
  return new Cron(job.schedule, { paused: true, mode: '5-or-6-parts', timezone: job.timezone });
}

/** The first tick strictly after `after`, or null when the pattern has no more. */
export function nextTick(job: Pick<Job, 'schedule' | 'timezone'>, after: Date): Date | null {
  const c = cron(job);
  const next = c.nextRun(after);
  c.stop();
  return next;
}

/** The tick before `tick` (for a report's first period: one schedule interval). */
export function previousTick(job: Pick<Job, 'schedule' | 'timezone'>, tick: Date): Date | undefined {
  const c = cron(job);
  const prev = c.previousRuns(1, tick)[0];
  c.stop();
  return prev;
}

/** The length of the schedule interval around `tick` (a report's first period); a day when the pattern has no earlier tick. */
export function scheduleInterval(job: Pick<Job, 'schedule' | 'timezone'>, tick: Date): number {
  const prev = previousTick(job, tick);
  const after = prev ? nextTick(job, prev) : null;
  return prev && after ? after.getTime() - prev.getTime() : 86_400_000;
}

/** Run ids sort by time: 20261207T030000.000Z, the tick in UTC (milliseconds for manual runs). */
export function runIdOf(tick: Date): string {
  return tick.toISOString().replace(/[-:]/g, '');
}

export interface RunPlan {
  runId: string;
  tick: Date;
  /** Start of the window: report: start time (inclusive); corpus/records: settled after (exclusive). Undefined: all retained data. */
  from?: Date;
  /** End of the window: report: end time (exclusive); corpus/records: settled until (inclusive). */
  to: Date;
  /** Recorded with a successful run; the next run starts here. */
  watermark: Date;
  /** Nothing to cover (the window is empty). */
  empty: boolean;
}

/** The window of the run at `tick`, given the watermark of the job's last successful run. */
export function planRun(job: Job, tick: Date, watermark: Date | undefined): RunPlan {
  const runId = runIdOf(tick);
  const start = job.start !== undefined ? parseTimeExpr(job.start, tick.getTime()) : undefined;
  if (job.kind === 'report') {
    const from = watermark ?? start ?? new Date(tick.getTime() - scheduleInterval(job, tick));
    return { runId, tick, from, to: tick, watermark: tick, empty: from >= tick };
  }
  const to = new Date(tick.getTime() - SETTLE_LAG_MS);
  const from = watermark ?? start;
  return { runId, tick, from, to, watermark: to, empty: from !== undefined && from >= to };
}

/** The file names of a run: `<job>-<run id>.<ext>` or `<job>-<run id>-<name>`, and its manifest. */
export function runFileName(job: string, runId: string, name: string): string {
  return name.startsWith('.') ? `${job}-${runId}${name}` : `${job}-${runId}-${name}`;
}

export function manifestName(job: string, runId: string): string {
  return `${job}-${runId}.manifest.json`;
}

const RUN_FILE = /^(\d{8}T\d{6}\.\d{3}Z)[.-]/;

/** Files of runs older than the newest `keep` runs of `job`, among the names in the destination. */
export function filesToPrune(names: readonly string[], job: string, keep: number | undefined): string[] {
  if (keep === undefined) return [];
  const byRun = new Map<string, string[]>();
  for (const name of names) {
    if (!name.startsWith(`${job}-`)) continue;
    const m = RUN_FILE.exec(name.slice(job.length + 1));
    if (!m) continue;
    const list = byRun.get(m[1]) ?? [];
    list.push(name);
    byRun.set(m[1], list);
  }
  const runs = [...byRun.keys()].sort().reverse();
  return runs.slice(keep).flatMap((r) => byRun.get(r) ?? []);
}
