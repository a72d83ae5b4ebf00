// The settle loop: raw spans and logs are committed at ingest; normalized operations and their failures are
// rebuilt per group (groups.ts) once the group has been quiet for `settleMs`, and rebuilt again when late
// data arrives. Rebuilding from stored data (not from the request in hand) is what lets spans and log
// events sent minutes apart merge into one record per call, and makes `renormalize` the same code path.
//
// Nothing is lost across restarts: a watermark in tracemill_state says "everything ingested before this
// time has been settled"; at start, every group with data ingested since then is settled again.
import { toClickHouseTime } from '../time.js';
import type { Rules } from '../normalize/index.js';
import type { Store } from '../store/clickhouse.js';
import { RAW_LOG_SELECT, RAW_SPAN_SELECT, type RawLogRow } from '../store/read/records.js';
import { restoreMessages } from '../store/read/spans.js';
import type { RawSpanRow } from '../store/read/spans.js';
import { type OperationKey, OPERATION_COLUMNS } from '../store/rows/operations.js';
import { groupKey, parseGroupKey, traceGroupKey } from './groups.js';
import type { JobGroup } from './rebuild-job.js';
import { type RebuildRunner, WorkerRunner, inlineRunner } from './rebuild-pool.js';

export interface SettleOptions {
  /** Quiet time after a group's last data before it is rebuilt (ms). */
  settleMs: number;
  rules?: Rules;
  /**
   * Groups rebuilt per store round trip (16). Their rows are read and parsed on the event loop, so the batch
   * is kept small: 200 Claude Code sessions of 512 spans stalled /healthz for seconds in bench/analysis.ts.
   */
  batchGroups?: number;
  onError?: (err: Error) => void;
  /** Told how many groups each rebuild wrote (counters). */
  onRebuilt?: (groups: number) => void;
  /** Run normalization and detection in a worker thread (the service), not on the calling thread (the CLI). */
  worker?: boolean;
  /** Most groups kept waiting in memory; past it they are found again from the stored data (catch-up). */
  maxPending?: number;
  /** Told when a group could not be kept waiting (the bound was reached): a metric and a log line. */
  onOverflow?: (pending: number) => void;
}

export interface SettleResult {
  groups: number;
  operations: number;
  failures: number;
}

interface Pending {
  project: string;
  key: string;
  firstSeen: number;
  lastSeen: number;
}

const WATERMARK = 'settle_watermark';
/** Margin under the watermark: covers requests committed but not yet marked when it was written. */
const WATERMARK_MARGIN_MS = 60_000;

/** How long a rebuild waits for missing history messages before it builds without them. */
const MISSING_MESSAGES_RETRY_MS = 10 * 60_000;

export class Settler {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastVersion = 0n;
  private savedWatermark = 0;
  private closed = false;
  private readonly batchGroups: number;
  /** Batches whose history messages were missing, since when (bounded retries; see rebuild). */
  private readonly missingSince = new Map<string, number>();
  private readonly runner: RebuildRunner;
  /** When set, loops stop starting batches after this time (Date.now()); what is left stays pending. */
  private stopAt = Infinity;
  private readonly maxPending: number;
  /**
   * Set when groups were not kept because the pending map was full: the earliest time of data that may be
   * untracked. The watermark stays below it, and a catch-up reads the groups back from the store once the
   * backlog has halved (bounded pages, oldest data first).
   */
  private overflowSince: number | undefined;
  /** Where the catch-up's next page starts (its order: first data time, project, group key). */
  private catchUpCursor: { first: string; project: string; key: string } | undefined;
  /** Oldest first-seen time among the groups of the batch being rebuilt (they are out of `pending`). */
  private inFlightSince: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly opts: SettleOptions,
  ) {
    this.batchGroups = opts.batchGroups ?? 16;
    this.runner = opts.worker ? new WorkerRunner(opts.rules) : inlineRunner(opts.rules);
    this.maxPending = opts.maxPending ?? 100_000;
  }

  /** Marks groups dirty (their data is committed): the keys groupsOf() listed for a request. */
  touchGroups(project: string, keys: readonly string[]): void {
    const now = Date.now();
    for (const key of keys) this.touch(project, key, now);
  }

  /** `firstSeen`: a group put back (failed or left at shutdown) keeps the age it had, which the watermark follows. */
  private touch(project: string, key: string, now: number, firstSeen = now): void {
    const id = project + '\u0000' + key;
    const p = this.pending.get(id);
    if (p) {
      p.lastSeen = Math.max(p.lastSeen, now);
      p.firstSeen = Math.min(p.firstSeen, firstSeen);
    } else if (this.pending.size >= this.maxPending) {
      if (this.overflowSince === undefined) this.opts.onOverflow?.(this.pending.size);
      this.overflowSince = Math.min(this.overflowSince ?? Infinity, firstSeen);
      this.catchUpCursor = undefined; // this group may sort before the cursor: the catch-up starts over
    } else this.pending.set(id, { project, key, firstSeen, lastSeen: now });
  }

  get pendingGroups(): number {
    return this.pending.size;
  }

  /**
   * Everything ingested before this time (ms since the epoch) has been normalized by this process: the
   * oldest data still waiting (pending, being rebuilt, or left to the catch-up), or now when none is.
   */
  settledThrough(): number {
    let oldest = Math.min(Date.now(), this.overflowSince ?? Infinity, this.inFlightSince ?? Infinity);
    for (const p of this.pending.values()) if (p.firstSeen < oldest) oldest = p.firstSeen;
    return oldest;
  }

  /** Settles what was left from before a restart, then checks for quiet groups every settleMs/4. */
  async start(): Promise<void> {
    const rows = await this.store.query<{ value: string }>(`SELECT argMax(value, updated_at) AS value FROM tracemill_state WHERE name = {n:String}`, {
      n: WATERMARK,
    });
    const since = rows.length && rows[0].value ? Number(rows[0].value) : 0;
    // Every group with data ingested since the watermark, read back as a catch-up: a page now, the rest as
    // the backlog drains (a restart after a long outage does not load every group into memory at once).
    this.overflowSince = since;
    await this.catchUp();
    const every = Math.max(50, Math.min(1000, Math.floor(this.opts.settleMs / 4)));
    this.timer = setInterval(() => void this.tick(false), every);
    this.timer.unref();
  }

  /** Rebuilds every pending group now, whether quiet or not (tests, CLI, shutdown). */
  flush(): Promise<void> {
    return this.tick(true);
  }

  /**
   * Stops the timer and rebuilds what is still pending until `deadline` (ms since the epoch), so a replica
   * that goes away leaves as little as it can; batches not started by then stay unsettled, and the
   * watermark (not moved past them) has the next start settle them. A failure here is logged for the
   * same reason: the raw data is safe, and the next start (or `renormalize`) settles it.
   */
  async close(deadline = Infinity): Promise<void> {
    this.closed = true;
    this.stopAt = deadline;
    if (this.timer) clearInterval(this.timer);
    // At the deadline a rebuild still running is abandoned (the worker stops; its groups go back to pending).
    const abandon = Number.isFinite(deadline) ? setTimeout(() => void this.runner.close(), Math.max(0, deadline - Date.now())) : undefined;
    await this.tick(true).catch((e: Error) => this.opts.onError?.(e));
    clearTimeout(abandon);
    await this.runner.close();
  }

  /** Rebuilds every group with data in [since, until) — `tracemill renormalize`. */
  async renormalize(range: { since: Date; until?: Date; project?: string }): Promise<SettleResult> {
    const params = { since: toClickHouseTime(range.since), until: toClickHouseTime(range.until ?? new Date(Date.now() + 86_400_000)), project: range.project ?? '' };
    const keys = await this.store.query<{ project_id: string; k: string }>(
      `SELECT DISTINCT project_id, if(session_id != '', concat('s:', session_id), concat('t:', trace_id)) AS k FROM spans
         WHERE start_time >= {since:DateTime64(3)} AND start_time < {until:DateTime64(3)} AND ({project:String} = '' OR project_id = {project:String})
       UNION DISTINCT
       SELECT DISTINCT project_id, if(session_id != '', concat('s:', session_id), concat('t:', trace_id)) AS k FROM logs
         WHERE timestamp >= {since:DateTime64(3)} AND timestamp < {until:DateTime64(3)} AND ({project:String} = '' OR project_id = {project:String})
           AND (session_id != '' OR trace_id != '')`,
      params,
    );
    const total: SettleResult = { groups: 0, operations: 0, failures: 0 };
    await this.serialize(async () => {
      for (const [project, list] of byProject(keys.map((r) => ({ project: r.project_id, key: r.k })))) {
        for (let i = 0; i < list.length; i += this.batchGroups) {
          const r = await this.rebuild(project, list.slice(i, i + this.batchGroups));
          total.groups += r.groups;
          total.operations += r.operations;
          total.failures += r.failures;
        }
      }
    });
    return total;
  }

  private serialize(fn: () => Promise<void>): Promise<void> {
    const next = this.running.then(fn);
    this.running = next.catch(() => undefined);
    return next;
  }

  private tick(all: boolean): Promise<void> {
    if (this.closed && !all) return this.running;
    return this.serialize(async () => {
      if (this.overflowSince !== undefined && this.pending.size < this.maxPending / 2 && Date.now() < this.stopAt) {
        await this.catchUp().catch((e: Error) => this.opts.onError?.(e));
      }
      const cutoff = all ? Infinity : Date.now() - this.opts.settleMs;
      const due: Pending[] = [];
      for (const [id, p] of this.pending) {
        if (p.lastSeen > cutoff) continue;
        due.push(p);
        this.pending.delete(id);
        this.inFlightSince = Math.min(this.inFlightSince ?? Infinity, p.firstSeen);
      }
      let failed: Error | undefined;
      const firstSeen = new Map(due.map((p) => [p.project + '\u0000' + p.key, p.firstSeen]));
      for (const [project, list] of byProject(due)) {
        for (let i = 0; i < list.length; i += this.batchGroups) {
          const batch = list.slice(i, i + this.batchGroups);
          if (Date.now() >= this.stopAt) {
            // Shutting down: what is not started stays pending, so the watermark does not pass it.
            for (const key of batch) this.touch(project, key, Date.now(), firstSeen.get(project + '\u0000' + key));
            continue;
          }
          try {
            await this.rebuild(project, batch);
          } catch (e) {
            // Keep them pending: the next tick retries (a store outage must not lose normalization).
            const now = Date.now();
            for (const key of batch) this.touch(project, key, now, firstSeen.get(project + '\u0000' + key));
            this.opts.onError?.(e as Error);
            failed ??= e as Error;
          }
        }
      }
      this.inFlightSince = undefined;
      await this.saveWatermark().catch((e: Error) => this.opts.onError?.(e));
      // A flush promises everything pending was rebuilt: say so when it was not.
      if (all && failed) throw failed;
    });
  }

  private async saveWatermark(): Promise<void> {
    const mark = this.settledThrough() - WATERMARK_MARGIN_MS;
    if (mark - this.savedWatermark < 5_000) return;
    await this.store.command(`INSERT INTO tracemill_state (name, value) VALUES ({n:String}, {v:String})`, { n: WATERMARK, v: String(mark) });
    this.savedWatermark = mark;
  }

  /**
   * Groups left out while the pending map was full, read back from the store: those with data ingested since
   * the overflow began, oldest first, a page at a time (at most half the bound), so the catch-up itself
   * stays bounded. When the page is full, the next catch-up continues from its last group's time.
   */
  private async catchUp(): Promise<void> {
    const since = this.overflowSince!;
    const cursor = this.catchUpCursor ?? { first: '1970-01-01 00:00:00.000', project: '', key: '' };
    this.overflowSince = undefined;
    this.catchUpCursor = undefined;
    const page = Math.max(1, Math.floor(this.maxPending / 2));
    const rows = await this.store
      .query<{ project_id: string; k: string; first: string }>(
        `SELECT project_id, k, toString(min(t)) AS first FROM (
           SELECT project_id, if(session_id != '', concat('s:', session_id), concat('t:', trace_id)) AS k, ingested_at AS t FROM spans WHERE ingested_at >= {since:DateTime64(3)}
           UNION ALL
           SELECT project_id, if(session_id != '', concat('s:', session_id), concat('t:', trace_id)) AS k, ingested_at AS t FROM logs
            WHERE ingested_at >= {since:DateTime64(3)} AND (session_id != '' OR trace_id != ''))
         GROUP BY project_id, k
         HAVING (min(t), project_id, k) > ({cf:DateTime64(3)}, {cp:String}, {ck:String})
         ORDER BY min(t), project_id, k LIMIT {page:UInt32}`,
        { since: toClickHouseTime(new Date(Math.max(0, since - WATERMARK_MARGIN_MS))), cf: cursor.first, cp: cursor.project, ck: cursor.key, page },
      )
      .catch((e: Error) => {
        this.overflowSince = Math.min(this.overflowSince ?? Infinity, since); // tried again at the next tick
        this.catchUpCursor = cursor;
        throw e;
      });
    const now = Date.now();
    for (const r of rows) {
      const first = Date.parse(r.first.replace(' ', 'T') + 'Z');
      this.touch(r.project_id, r.k, now - this.opts.settleMs, Math.min(now, Number.isFinite(first) ? first : since));
    }
    if (rows.length === page) {
      // More to read: the untracked data still starts at `since`.
      const overflowed = this.overflowSince !== undefined;
      this.overflowSince = Math.min(this.overflowSince ?? Infinity, since);
      const last = rows[rows.length - 1];
      if (!overflowed) this.catchUpCursor = { first: last.first, project: last.project_id, key: last.k };
    }
  }

  private nextVersion(): bigint {
    let v = BigInt(Date.now()) * 1000n;
    if (v <= this.lastVersion) v = this.lastVersion + 1n;
    this.lastVersion = v;
    return v;
  }

  /** Loads, rebuilds and writes a batch of groups of one project. */
  private async rebuild(project: string, keys: string[]): Promise<SettleResult> {
    const sessions = new Set<string>();
    const traces = new Set<string>();
    for (const k of keys) {
      const g = parseGroupKey(k);
      if (!g) continue;
      if ('session' in g) sessions.add(g.session);
      else traces.add(g.trace);
    }
    const p = { project };
    // A trace whose records name a conversation is rebuilt with the conversation.
    if (traces.size) {
      const named = await this.store.query<{ s: string }>(
        `SELECT DISTINCT session_id AS s FROM spans WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)} AND session_id != ''
         UNION DISTINCT
         SELECT DISTINCT session_id AS s FROM logs WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)} AND session_id != ''`,
        { ...p, traces: [...traces] },
      );
      for (const r of named) sessions.add(r.s);
    }
    if (sessions.size) {
      const inSessions = await this.store.query<{ t: string }>(
        `SELECT DISTINCT trace_id AS t FROM spans WHERE project_id = {project:String} AND session_id IN {sessions:Array(String)}
         UNION DISTINCT
         SELECT DISTINCT trace_id AS t FROM logs WHERE project_id = {project:String} AND session_id IN {sessions:Array(String)} AND trace_id != ''`,
        { ...p, sessions: [...sessions] },
      );
      for (const r of inSessions) traces.add(r.t);
    }
    const traceList = [...traces];
    const sessionList = [...sessions];
    const [spanRows, logRows] = await Promise.all([
      traceList.length
        ? this.store.query<RawSpanRow & { session_id: string }>(
            `SELECT ${RAW_SPAN_SELECT}, session_id FROM spans FINAL WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)}`,
            { ...p, traces: traceList },
          )
        : [],
      this.store.query<RawLogRow & { session_id: string }>(
        `SELECT ${RAW_LOG_SELECT}, session_id FROM logs FINAL WHERE project_id = {project:String}
           AND (session_id IN {sessions:Array(String)} OR (trace_id != '' AND trace_id IN {traces:Array(String)}))`,
        { ...p, sessions: sessionList, traces: traceList },
      ),
    ]);
    // A history message not readable yet (a replica behind in cluster mode) would leave the calls without their
    // input: retry the batch for a while rather than store operations missing it.
    const missing = await restoreMessages(this.store, project, spanRows);
    const batchId = project + '\u0000' + keys[0];
    if (missing > 0) {
      const since = this.missingSince.get(batchId) ?? Date.now();
      if (this.missingSince.size > 10_000) this.missingSince.clear(); // batches that never came back
      this.missingSince.set(batchId, since);
      if (Date.now() - since < MISSING_MESSAGES_RETRY_MS) throw new Error(`${missing} span attributes reference history messages the store does not have yet; retrying`);
    }
    this.missingSince.delete(batchId);

    // Each trace goes with the conversation one of its records names (the smallest id if several do).
    const sessionOfTrace = new Map<string, string>();
    const name = (t: string, s: string) => {
      if (!t || !s) return;
      const cur = sessionOfTrace.get(t);
      if (cur === undefined || s < cur) sessionOfTrace.set(t, s);
    };
    for (const r of spanRows) name(r.trace_id, r.session_id);
    for (const r of logRows) name(r.trace_id, r.session_id);
    const groups = new Map<string, { spans: RawSpanRow[]; logs: RawLogRow[] }>();
    const groupOf = (key: string) => {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { spans: [], logs: [] }));
      return g;
    };
    for (const r of spanRows) groupOf(groupKey(sessionOfTrace.get(r.trace_id) ?? '', r.trace_id)).spans.push(r);
    for (const r of logRows) groupOf(groupKey(r.session_id || (sessionOfTrace.get(r.trace_id) ?? ''), r.trace_id)).logs.push(r);
    // Groups asked for that have no data any more (e.g. folded into a conversation) still get their old rows removed.
    for (const k of keys) groupOf(k);

    const lookup = new Set(groups.keys());
    for (const t of traceList) lookup.add(traceGroupKey(t));
    const previous = await this.store.query<{ group_key: string; trace_id: string; span_id: string; day: string }>(
      `SELECT group_key, trace_id, span_id, toString(day) AS day FROM operations FINAL
        WHERE project_id = {project:String} AND group_key IN {keys:Array(String)}`,
      { ...p, keys: [...lookup] },
    );
    const previousOf = new Map<string, OperationKey[]>();
    for (const r of previous) {
      // A trace group's rows belong to the conversation that now holds the trace, if any.
      const t = parseGroupKey(r.group_key);
      const owner = t && 'trace' in t && sessionOfTrace.has(t.trace) ? groupKey(sessionOfTrace.get(t.trace)!, t.trace) : r.group_key;
      const list = previousOf.get(owner) ?? [];
      list.push({ groupKey: r.group_key, traceId: r.trace_id, spanId: r.span_id, day: r.day });
      previousOf.set(owner, list);
    }

    const jobGroups: JobGroup[] = [];
    for (const [key, g] of groups) jobGroups.push({ key, spans: g.spans, logs: g.logs, previous: previousOf.get(key) ?? [] });
    const out = await this.runner.run({ project, version: this.nextVersion().toString(), groups: jobGroups });
    const result: SettleResult = { groups: out.groups, operations: out.operations, failures: out.failures };
    if (out.body) await this.store.insertRows('operations', OPERATION_COLUMNS, Buffer.from(out.body));
    this.opts.onRebuilt?.(result.groups);
    return result;
  }
}

function byProject<T extends { project: string; key: string }>(items: T[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const it of items) {
    const list = m.get(it.project);
    if (list) list.push(it.key);
    else m.set(it.project, [it.key]);
  }
  return m;
}
