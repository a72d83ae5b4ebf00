// The settle loop, an I/O shell: raw spans and logs are committed at ingest; normalized operations and their
// failures are rebuilt per group (groups.ts) once the group has been quiet for `settleMs`, and rebuilt again
// when late data arrives. The rebuild itself is pure (src/analysis/rebuild.ts, run by rebuild-job.ts in a
// worker), the SQL is the store's (src/store/settle.ts), and which traces a rebuild reads is
// src/analysis/tail.ts. Rebuilding from stored data (not from the request in hand) is what lets spans and
// log events sent minutes apart merge into one record per call, and makes `renormalize` the same code path.
//
// Nothing is lost across restarts: a watermark in tracemill_state says "everything ingested before this
// time has been settled"; at start, every group with data ingested since then is settled again.
import type { Rules } from '../normalize/index.js';
import type { Store } from '../store/clickhouse.js';
import { restoreMessages } from '../store/read/spans.js';
import {
  groupsInRange,
  groupsIngestedSince,
  readLogsOf,
  readLogsOfTraces,
  readOperationsOf,
  readSpansOfTraces,
  readState,
  readTails,
  readUntracedLogs,
  sessionsOfTraces,
  tracesOfSessions,
  writeOperations,
  writeState,
  writeTails,
} from '../store/settle.js';
import type { RawSpanRow } from '../store/read/spans.js';
import type { RawLogRow } from '../store/read/records.js';
import type { OperationKey } from '../model/operation-row.js';
import { type GroupTouch, groupKey, parseGroupKey, traceGroupKey } from './groups.js';
import { type ConversationTail, MAX_TOUCHED_TRACES, TAIL_SLACK_MS, failureSignature, fitsTail, nextTail, parseTail, planIncrement, traceRanges } from '../analysis/tail.js';
import type { JobGroup } from './rebuild-job.js';
import { type RebuildRunner, WorkerRunner, inlineRunner } from './rebuild-pool.js';

export interface SettleOptions {
  /** Quiet time after a group's last data before it is rebuilt (ms). */
  settleMs: number;
  /** Longest a group that keeps receiving data waits before it is rebuilt anyway (ms; none when unset). */
  maxWaitMs?: number;
  rules?: Rules;
  /**
   * Groups rebuilt per store round trip (16). Their rows are read and parsed on the event loop, so the batch
   * is kept small: 200 Claude Code sessions of 512 spans stalled /healthz for seconds in bench/analysis.ts.
   */
  batchGroups?: number;
  onError?: (err: Error) => void;
  /** Told how many groups each rebuild wrote (counters). */
  onRebuilt?: (groups: number) => void;
  /** Told how many stored span and log rows each rebuild read (a counter: incremental rebuilds read only what changed). */
  onRead?: (rows: { spans: number; logs: number }) => void;
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

/** Milliseconds since the epoch, both ends included. */
type TimeRange = { lo: number; hi: number };

interface Pending {
  project: string;
  key: string;
  firstSeen: number;
  lastSeen: number;
  /** Traces that received data since the last rebuild; null when not known (caught up from the store: rebuilt whole). */
  traces: Set<string> | null;
  /** Time range (ms) of log events without a trace id received since the last rebuild. */
  logs?: TimeRange;
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
  /** How far before its `since` a catch-up reads (none right after a clean close; see markCleanClose). */
  private catchUpMargin = WATERMARK_MARGIN_MS;

  constructor(
    private readonly store: Store,
    private readonly opts: SettleOptions,
  ) {
    this.batchGroups = opts.batchGroups ?? 16;
    this.runner = opts.worker ? new WorkerRunner(opts.rules) : inlineRunner(opts.rules);
    this.maxPending = opts.maxPending ?? 100_000;
  }

  /** Marks groups dirty (their data is committed): what groupsOf() listed for a request. */
  touchGroups(project: string, touches: readonly GroupTouch[]): void {
    const now = Date.now();
    for (const t of touches) this.touch(project, t.key, now, now, t.traces, t.logs);
  }

  /**
   * `firstSeen`: a group put back (failed or left at shutdown) keeps the age it had, which the watermark follows.
   * `traces` null: what changed is not known (catch-up), so the group is rebuilt whole.
   */
  private touch(project: string, key: string, now: number, firstSeen = now, traces: Iterable<string> | null = null, logs?: TimeRange): void {
    const id = project + '\u0000' + key;
    const p = this.pending.get(id);
    if (p) {
      p.lastSeen = Math.max(p.lastSeen, now);
      p.firstSeen = Math.min(p.firstSeen, firstSeen);
      if (traces === null) p.traces = null;
      else if (p.traces) {
        for (const t of traces) p.traces.add(t);
        if (p.traces.size > MAX_TOUCHED_TRACES) p.traces = null;
      }
      p.logs = joinRanges(p.logs, logs);
    } else if (this.pending.size >= this.maxPending) {
      if (this.overflowSince === undefined) this.opts.onOverflow?.(this.pending.size);
      this.overflowSince = Math.min(this.overflowSince ?? Infinity, firstSeen);
      this.catchUpCursor = undefined; // this group may sort before the cursor: the catch-up starts over
    } else {
      const set = traces === null ? null : new Set(traces);
      this.pending.set(id, { project, key, firstSeen, lastSeen: now, traces: set && set.size <= MAX_TOUCHED_TRACES ? set : null, logs: logs && { ...logs } });
    }
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
    // A value `clean:<ms>` was written by a close that settled everything (markCleanClose): no margin needed.
    const value = await readState(this.store, WATERMARK);
    const clean = value.startsWith('clean:');
    const since = value ? Number(clean ? value.slice(6) : value) : 0;
    this.catchUpMargin = clean ? 0 : WATERMARK_MARGIN_MS;
    // Every group with data ingested since the watermark, read back as a catch-up: a page now, the rest as
    // the backlog drains (a restart after a long outage does not load every group into memory at once).
    this.overflowSince = since;
    await this.catchUp();
    this.catchUpMargin = WATERMARK_MARGIN_MS;
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
    const closeStarted = Date.now();
    await this.tick(true).catch((e: Error) => this.opts.onError?.(e));
    clearTimeout(abandon);
    await this.runner.close();
    await this.markCleanClose(closeStarted).catch((e: Error) => this.opts.onError?.(e));
  }

  /**
   * After a close that settled everything (the service closes this after ingest has stopped and the write
   * queue has drained, so every committed row's group was touched before `closeStarted`), the watermark can
   * be `closeStarted` itself rather than lag by the margin: the next start then rebuilds nothing that did not
   * change, so no agent run gets a new version (and a scheduled corpus job does not export it again). Only
   * on the embedded store, where ingested_at comes from this machine's clock; a server's clock may differ.
   */
  private async markCleanClose(closeStarted: number): Promise<void> {
    if (this.store.mode !== 'embedded' || this.pending.size || this.overflowSince !== undefined || this.inFlightSince !== undefined) return;
    await writeState(this.store, WATERMARK, `clean:${closeStarted}`);
    this.savedWatermark = closeStarted;
  }

  /** Rebuilds every group with data in [since, until) — `tracemill renormalize`. */
  async renormalize(range: { since: Date; until?: Date; project?: string }): Promise<SettleResult> {
    const keys = await groupsInRange(this.store, { since: range.since, until: range.until ?? new Date(Date.now() + 86_400_000), project: range.project });
    const total: SettleResult = { groups: 0, operations: 0, failures: 0 };
    await this.serialize(async () => {
      for (const [project, list] of byProject(keys.map((r) => ({ project: r.project_id, key: r.k })), (x) => x.key)) {
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
      // A conversation that never goes quiet (a long-running agent) is still rebuilt every maxWaitMs: only
      // its new traces (tail.ts), so its figures trail its data by that much at most.
      const waitedOut = all ? Infinity : Date.now() - (this.opts.maxWaitMs ?? Infinity);
      const due: Pending[] = [];
      for (const [id, p] of this.pending) {
        if (p.lastSeen > cutoff && p.firstSeen > waitedOut) continue;
        due.push(p);
        this.pending.delete(id);
        this.inFlightSince = Math.min(this.inFlightSince ?? Infinity, p.firstSeen);
      }
      let failed: Error | undefined;
      const putBack = (batch: Pending[]) => {
        const now = Date.now();
        for (const p of batch) this.touch(p.project, p.key, now, p.firstSeen, p.traces, p.logs);
      };
      for (const list of byProject(due, (p) => p).values()) {
        for (const batch of batchesOf(list, this.batchGroups)) {
          if (Date.now() >= this.stopAt) {
            // Shutting down: what is not started stays pending, so the watermark does not pass it.
            putBack(batch);
            continue;
          }
          try {
            await this.rebuildDue(batch[0].project, batch);
          } catch (e) {
            // Keep them pending: the next tick retries (a store outage must not lose normalization).
            putBack(batch);
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
    await writeState(this.store, WATERMARK, String(mark));
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
    const rows = await groupsIngestedSince(this.store, new Date(Math.max(0, since - this.catchUpMargin)), cursor, page).catch((e: Error) => {
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

  /** Rebuilds groups of one project whole (a conversation of more than PAGE_TRACES traces in pages). */
  private async rebuild(project: string, keys: string[]): Promise<SettleResult> {
    const sessions = new Set<string>();
    const traces = new Set<string>();
    for (const k of keys) {
      const g = parseGroupKey(k);
      if (!g) continue;
      if ('session' in g) sessions.add(g.session);
      else traces.add(g.trace);
    }
    // A trace whose records name a conversation is rebuilt with the conversation.
    if (traces.size) for (const r of await sessionsOfTraces(this.store, project, [...traces])) sessions.add(r.s);
    // A conversation of more than PAGE_TRACES traces is rebuilt in pages instead (bounded memory and work).
    const large = new Map<string, { t: string; start: number }[]>();
    if (sessions.size) {
      const bySession = new Map<string, { t: string; start: number }[]>();
      for (const r of await tracesOfSessions(this.store, project, [...sessions])) {
        const list = bySession.get(r.s) ?? [];
        list.push({ t: r.t, start: r.start });
        bySession.set(r.s, list);
      }
      for (const [s, list] of bySession) {
        if (list.length > PAGE_TRACES) {
          large.set(s, list);
          sessions.delete(s);
        }
      }
      for (const [s, list] of bySession) if (!large.has(s)) for (const r of list) traces.add(r.t);
      for (const list of large.values()) for (const r of list) traces.delete(r.t);
      keys = keys.filter((k) => !(k.startsWith('s:') && large.has(k.slice(2))));
    }
    const paged: SettleResult = { groups: 0, operations: 0, failures: 0 };
    for (const [session, list] of large) {
      list.sort((a, b) => a.start - b.start || (a.t < b.t ? -1 : 1));
      let tail: ConversationTail = { traces: [], truncated: false };
      let wrote = false;
      for (let i = 0; i < list.length; i += PAGE_TRACES) {
        const r = await this.rebuildIncremental(project, session, new Set(list.slice(i, i + PAGE_TRACES).map((x) => x.t)), undefined, tail);
        if (!r) throw new Error(`rebuilding conversation ${session} in pages: a page did not follow the one before`);
        tail = r.tail;
        wrote ||= r.groups > 0;
        paged.operations += r.operations;
        paged.failures += r.failures;
      }
      if (wrote) paged.groups++;
    }
    if (!sessions.size && !traces.size && !keys.length) return paged;
    const traceList = [...traces];
    const sessionList = [...sessions];
    const [spanRows, logRows] = await Promise.all([readSpansOfTraces(this.store, project, traceList), readLogsOf(this.store, project, sessionList, traceList)]);
    // A history message not readable yet (a replica behind in cluster mode) would leave the calls without their
    // input: retry the batch for a while rather than store operations missing it.
    this.waitForMessages(project + '\u0000' + keys[0], await restoreMessages(this.store, project, spanRows));
    this.opts.onRead?.({ spans: spanRows.length, logs: logRows.length });

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
    const previous = await readOperationsOf(this.store, project, [...lookup]);
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
    const version = this.nextVersion();
    const out = await this.runner.run({ project, version: version.toString(), groups: jobGroups });
    const result: SettleResult = { groups: out.groups + paged.groups, operations: out.operations + paged.operations, failures: out.failures + paged.failures };
    if (out.body) await writeOperations(this.store, out.body);
    // Each conversation's tail, for the incremental rebuilds that follow (tail.ts).
    const tails: [string, ConversationTail][] = [];
    for (const [key, g] of groups) if (key.startsWith('s:') && (g.spans.length || g.logs.length)) tails.push([key, nextTail(undefined, traceRanges(g.spans, g.logs))]);
    await this.writeTails(project, version, tails);
    this.opts.onRebuilt?.(out.groups); // the pages above counted theirs
    return result;
  }

  /** A history message not readable yet (a replica behind in cluster mode): retry the batch for a while. */
  private waitForMessages(batchId: string, missing: number): void {
    if (missing > 0) {
      const since = this.missingSince.get(batchId) ?? Date.now();
      if (this.missingSince.size > 10_000) this.missingSince.clear(); // batches that never came back
      this.missingSince.set(batchId, since);
      if (Date.now() - since < MISSING_MESSAGES_RETRY_MS) throw new Error(`${missing} span attributes reference history messages the store does not have yet; retrying`);
    }
    this.missingSince.delete(batchId);
  }

  private writeTails(project: string, version: bigint, tails: [string, ConversationTail][]): Promise<void> {
    return writeTails(this.store, project, version, tails.map(([key, tail]) => [key, JSON.stringify(tail)]));
  }

  /**
   * Rebuilds the groups of one project that became due. A conversation built before, whose new data is known
   * trace by trace, is rebuilt incrementally (tail.ts); the rest (new conversations, trace groups, groups
   * caught up from the store) are rebuilt whole.
   */
  private async rebuildDue(project: string, batch: Pending[]): Promise<SettleResult> {
    interface Change {
      traces: Set<string> | null;
      logs?: TimeRange;
      keys: string[];
    }
    const changes = new Map<string, Change>();
    const change = (session: string): Change => {
      let c = changes.get(session);
      if (!c) changes.set(session, (c = { traces: new Set(), keys: [] }));
      return c;
    };
    const traceGroups: Pending[] = [];
    for (const p of batch) {
      const g = parseGroupKey(p.key);
      if (!g) continue;
      if ('trace' in g) {
        traceGroups.push(p);
        continue;
      }
      const c = change(g.session);
      c.keys.push(p.key);
      if (p.traces === null) c.traces = null;
      else if (c.traces) for (const t of p.traces) c.traces.add(t);
      c.logs = joinRanges(c.logs, p.logs);
    }
    const full: string[] = [];
    if (traceGroups.length) {
      // A trace whose records name a conversation (its other spans do not) belongs to that conversation.
      const named = await sessionsOfTraces(this.store, project, traceGroups.map((p) => p.key.slice(2)));
      const sessionOf = new Map(named.map((r) => [r.t, r.s]));
      for (const p of traceGroups) {
        const trace = p.key.slice(2);
        const session = sessionOf.get(trace);
        if (!session) {
          full.push(p.key);
          continue;
        }
        const c = change(session);
        c.keys.push(p.key);
        c.traces?.add(trace);
      }
    }
    const known = [...changes].filter(([, c]) => c.traces !== null).map(([s]) => groupKey(s, ''));
    const tails = new Map<string, ConversationTail>();
    if (known.length) {
      for (const r of await readTails(this.store, project, known)) {
        const t = parseTail(r.tail);
        if (t) tails.set(r.group_key, t);
      }
    }
    const total: SettleResult = { groups: 0, operations: 0, failures: 0 };
    for (const [session, c] of changes) {
      const tail = tails.get(groupKey(session, ''));
      const r = tail && c.traces ? await this.rebuildIncremental(project, session, c.traces, c.logs, tail) : undefined;
      if (!r) {
        full.push(...c.keys);
        continue;
      }
      total.groups += r.groups;
      total.operations += r.operations;
      total.failures += r.failures;
    }
    if (full.length) {
      const r = await this.rebuild(project, full);
      total.groups += r.groups;
      total.operations += r.operations;
      total.failures += r.failures;
    }
    return total;
  }

  /**
   * Rebuilds the traces of a conversation that received data, with its tail's other traces read as context
   * (tail.ts). Undefined when the conversation must be rebuilt whole instead (late data for an old trace).
   */
  private async rebuildIncremental(
    project: string,
    session: string,
    touched: Set<string>,
    logs: TimeRange | undefined,
    tail: ConversationTail,
  ): Promise<(SettleResult & { tail: ConversationTail }) | undefined> {
    const key = groupKey(session, '');
    const plan = planIncrement(tail, touched, logs);
    const rebuild = new Set(plan.rebuild);
    const read = [...plan.rebuild, ...plan.context];
    const spanRows = await readSpansOfTraces(this.store, project, read);
    // Log events without a trace id join the trace running at their time: read those around the traces read.
    let lo = logs?.lo ?? Infinity;
    let hi = logs?.hi ?? -Infinity;
    for (const r of traceRanges(spanRows, []).values()) {
      lo = Math.min(lo, r.start);
      hi = Math.max(hi, r.end);
    }
    for (const t of tail.traces) {
      lo = Math.min(lo, t.start);
      hi = Math.max(hi, t.end);
    }
    const [traced, untraced] = await Promise.all([
      readLogsOfTraces(this.store, project, read),
      Number.isFinite(lo) ? readUntracedLogs(this.store, project, session, new Date(lo - TAIL_SLACK_MS), new Date(hi + TAIL_SLACK_MS)) : [],
    ]);
    const logRows = [...traced, ...untraced];
    const rebuiltRanges = traceRanges(
      spanRows.filter((r) => rebuild.has(r.trace_id)),
      traced.filter((r) => rebuild.has(r.trace_id)),
    );
    if (!fitsTail(tail, rebuiltRanges)) return undefined;
    this.waitForMessages(project + '\u0000' + key, await restoreMessages(this.store, project, spanRows));
    this.opts.onRead?.({ spans: spanRows.length, logs: logRows.length });

    // The stored operations of these traces: those of the rebuilt ones are replaced (or tombstoned); those of
    // the context traces are compared, so only an operation whose failures changed is written again.
    const stored = read.length ? await readOperationsOf(this.store, project, [key, ...plan.rebuild.map(traceGroupKey)], read) : [];
    const previous: OperationKey[] = [];
    const context = new Map<string, { signature: string; day: string }>();
    for (const r of stored) {
      if (rebuild.has(r.trace_id)) previous.push({ groupKey: r.group_key, traceId: r.trace_id, spanId: r.span_id, day: r.day });
      else if (r.group_key === key) {
        const failures = r.failure_modes.map((mode, i) => ({ mode, severity: r.failure_severities[i] ?? '', evidence: r.failure_evidence[i] ?? '' }));
        context.set(r.trace_id + '/' + r.span_id, { signature: failureSignature(failures), day: r.day });
      }
    }
    const version = this.nextVersion();
    const out = await this.runner.run({
      project,
      version: version.toString(),
      groups: [{ key, spans: spanRows, logs: logRows, previous, scope: { rebuild, context } }],
    });
    if (out.body) await writeOperations(this.store, out.body);
    const next = nextTail(tail, rebuiltRanges);
    await this.writeTails(project, version, [[key, next]]);
    this.opts.onRebuilt?.(out.groups);
    return { groups: out.groups, operations: out.operations, failures: out.failures, tail: next };
  }
}

/** A conversation with more traces than this is rebuilt whole in pages of this many, in time order (tail.ts). */
const PAGE_TRACES = 256;

/**
 * Most traces a batch of due groups should hold (a group whose traces are not known counts as 16). The event
 * loop parses the batch's rows; a batch of 16 conversations of 512 spans each kept /healthz waiting for
 * 150 ms and more (bench/analysis.ts), so batches are cut by size as well as by count.
 */
const BATCH_TRACES = 64;

function* batchesOf(list: Pending[], maxGroups: number): Generator<Pending[]> {
  let batch: Pending[] = [];
  let traces = 0;
  for (const p of list) {
    const n = p.traces?.size ?? 16;
    if (batch.length && (batch.length >= maxGroups || traces + n > BATCH_TRACES)) {
      yield batch;
      batch = [];
      traces = 0;
    }
    batch.push(p);
    traces += n;
  }
  if (batch.length) yield batch;
}

function byProject<T extends { project: string }, V>(items: readonly T[], value: (item: T) => V): Map<string, V[]> {
  const m = new Map<string, V[]>();
  for (const it of items) {
    const list = m.get(it.project);
    if (list) list.push(value(it));
    else m.set(it.project, [value(it)]);
  }
  return m;
}

/** The smallest time range holding both (either may be absent). */
function joinRanges(a: TimeRange | undefined, b: TimeRange | undefined): TimeRange | undefined {
  if (!a || !b) return a ? { ...a } : b && { ...b };
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}
