// Store side of scheduled jobs (schemas/clickhouse/008_export_runs.sql): tick claims and run history.
import { toClickHouseTime } from '../time.js';
import type { Store } from './clickhouse.js';

export type RunStatus = 'running' | 'ok' | 'failed';

export interface RunRow {
  job: string;
  run_id: string;
  tick: Date;
  replica: string;
  trigger: 'schedule' | 'manual';
  status: RunStatus;
  started_at: Date;
  finished_at: Date | null;
  window_from: Date | null;
  window_to: Date | null;
  watermark: Date | null;
  files: number;
  bytes: number;
  /** The run's manifest as JSON text ('' until the run succeeded). */
  manifest: string;
  error: string;
  webhook: string;
}

const t = (d: Date | null) => (d ? toClickHouseTime(d) : null);
const fromCh = (s: string | null) => (s ? new Date(`${s.replace(' ', 'T')}Z`) : null);

/**
 * Claims (job, tick) for `replica`: inserts a claim, waits `waitMs` for other replicas' claims of the same
 * tick to land, and reads back the winner (earliest claimed_at, then smallest replica id). True if it won.
 */
export async function claimTick(store: Store, job: string, tick: Date, replica: string, waitMs: number): Promise<boolean> {
  const p = { job, tick: toClickHouseTime(tick), replica };
  await store.command('INSERT INTO export_claims (job, tick, replica) SELECT {job:String}, {tick:DateTime64(3)}, {replica:String}', p);
  if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
  const rows = await store.query<{ winner: string }>(
    'SELECT argMin(replica, (claimed_at, replica)) AS winner FROM export_claims WHERE job = {job:String} AND tick = {tick:DateTime64(3)}',
    p,
  );
  return rows[0]?.winner === replica;
}

export async function writeRun(store: Store, r: RunRow): Promise<void> {
  await store.command(
    `INSERT INTO export_runs (job, run_id, tick, replica, trigger, status, started_at, finished_at, window_from, window_to, watermark, files, bytes, manifest, error, webhook)
     SELECT {job:String}, {run_id:String}, {tick:DateTime64(3)}, {replica:String}, {trigger:String}, {status:String}, {started_at:DateTime64(3)},
            {finished_at:Nullable(DateTime64(3))}, {window_from:Nullable(DateTime64(3))}, {window_to:Nullable(DateTime64(3))}, {watermark:Nullable(DateTime64(3))},
            {files:UInt32}, {bytes:UInt64}, {manifest:String}, {error:String}, {webhook:String}`,
    {
      ...r,
      tick: t(r.tick),
      started_at: t(r.started_at),
      finished_at: t(r.finished_at),
      window_from: t(r.window_from),
      window_to: t(r.window_to),
      watermark: t(r.watermark),
    },
  );
}

const COLUMNS = `job, run_id, toString(tick) AS tick, replica, trigger, status, toString(started_at) AS started_at, toString(finished_at) AS finished_at,
  toString(window_from) AS window_from, toString(window_to) AS window_to, toString(watermark) AS watermark, files, bytes, manifest, error, webhook`;

function rowOf(r: Record<string, string | null>): RunRow {
  return {
    job: String(r.job),
    run_id: String(r.run_id),
    tick: fromCh(r.tick) as Date,
    replica: String(r.replica),
    trigger: r.trigger as RunRow['trigger'],
    status: r.status as RunStatus,
    started_at: fromCh(r.started_at) as Date,
    finished_at: fromCh(r.finished_at),
    window_from: fromCh(r.window_from),
    window_to: fromCh(r.window_to),
    watermark: fromCh(r.watermark),
    files: Number(r.files),
    bytes: Number(r.bytes),
    manifest: String(r.manifest ?? ''),
    error: String(r.error ?? ''),
    webhook: String(r.webhook ?? ''),
  };
}

/** The newest runs of a job, newest first (run ids sort by time). */
export async function recentRuns(store: Store, job: string, limit: number): Promise<RunRow[]> {
  const rows = await store.query<Record<string, string | null>>(
    `SELECT ${COLUMNS} FROM export_runs FINAL WHERE job = {job:String} ORDER BY run_id DESC LIMIT {limit:UInt32}`,
    { job, limit },
  );
  return rows.map(rowOf);
}

export async function getRun(store: Store, job: string, runId: string): Promise<RunRow | undefined> {
  const rows = await store.query<Record<string, string | null>>(`SELECT ${COLUMNS} FROM export_runs FINAL WHERE job = {job:String} AND run_id = {run:String}`, {
    job,
    run: runId,
  });
  return rows[0] ? rowOf(rows[0]) : undefined;
}

/** The watermark of the job's newest successful run: where the next run starts. */
export async function lastWatermark(store: Store, job: string): Promise<Date | undefined> {
  const rows = await store.query<{ w: string | null; n: string }>(
    "SELECT toString(max(watermark)) AS w, count() AS n FROM export_runs FINAL WHERE job = {job:String} AND status = 'ok' AND watermark IS NOT NULL",
    { job },
  );
  return rows[0] && Number(rows[0].n) > 0 ? (fromCh(rows[0].w) ?? undefined) : undefined;
}
