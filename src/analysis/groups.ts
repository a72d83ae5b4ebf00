// Pure parts of settling: which group a record belongs to, and one group's rebuild (normalize, detect,
// attach failures, decide partition days and tombstones). The I/O around it is in settle.ts.
//
// A group is the unit normalization runs on: a conversation ('s:<session id>') when any of a trace's records
// names one, else the trace ('t:<trace id>'). Spans and log events of one call can arrive in different
// requests minutes apart, and Claude Code sends log events without a trace id: only a whole conversation
// merges them into one record per call.
import type { Failure } from '../model/failure.js';
import { detectRun, detectSpan } from './detect.js';
import { type Rules, normalizeBatch } from '../normalize/index.js';
import type { Operation } from '../model/operation.js';
import type { Attributes, LogRecord, Span } from '../model/otlp.js';
import type { OperationKey, OperationRow } from '../store/rows/operations.js';
import { sessionIdOf } from '../store/rows/session.js';
import { SESSION_KEYS } from '../normalize/dialects/index.js';
import { failureSignature, nanosToMs } from './tail.js';

export function groupKey(sessionId: string, traceId: string): string {
  return sessionId ? 's:' + sessionId : traceId ? 't:' + traceId : '';
}

/** What a request brought to one group: its trace ids, and the time range of its log events without one. */
export interface GroupTouch {
  key: string;
  traces: string[];
  /** Time range (ms) of log events without a trace id, or undefined when there were none. */
  logs?: { lo: number; hi: number };
}

type TouchRecord = { traceId: string; attributes: Attributes; timeUnixNano?: string; observedTimeUnixNano?: string };

/**
 * The groups of a request's records (spans or log records) and what each received, computed before the rows
 * are written so the decoded records need not outlive their encoding (objects that die young are cheap to
 * collect). The settle loop rebuilds only the traces a conversation received (tail.ts).
 */
export function groupsOf(records: readonly TouchRecord[]): GroupTouch[] {
  const touches = new Map<string, { key: string; traces: Set<string>; logs?: { lo: number; hi: number } }>();
  let last: { key: string; traces: Set<string>; logs?: { lo: number; hi: number } } | undefined;
  let lastTrace = '';
  for (const r of records) {
    const key = groupKey(sessionIdOf(r.attributes, SESSION_KEYS), r.traceId);
    if (!key) continue;
    if (!last || last.key !== key) {
      last = touches.get(key);
      if (!last) touches.set(key, (last = { key, traces: new Set() }));
      lastTrace = '';
    }
    if (r.traceId) {
      if (r.traceId !== lastTrace) last.traces.add(r.traceId);
      lastTrace = r.traceId;
    } else if (r.timeUnixNano !== undefined) {
      const t = nanosToMs(r.timeUnixNano) || nanosToMs(r.observedTimeUnixNano ?? '');
      if (!last.logs) last.logs = { lo: t, hi: t };
      else if (t < last.logs.lo) last.logs.lo = t;
      else if (t > last.logs.hi) last.logs.hi = t;
    }
  }
  return [...touches.values()].map((t) => ({ key: t.key, traces: [...t.traces], logs: t.logs }));
}

export function traceGroupKey(traceId: string): string {
  return 't:' + traceId;
}

export function parseGroupKey(key: string): { session: string } | { trace: string } | undefined {
  if (key.startsWith('s:') && key.length > 2) return { session: key.slice(2) };
  if (key.startsWith('t:') && key.length > 2) return { trace: key.slice(2) };
  return undefined;
}

/** UTC day (YYYY-MM-DD) of a nanosecond timestamp; the epoch for unset times. */
export function dayOf(nanos: string): string {
  const ms = nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  return Number.isNaN(d.getTime()) ? '1970-01-01' : d.toISOString().slice(0, 10);
}

export interface GroupInput {
  key: string;
  spans: Span[];
  logs: LogRecord[];
}

export interface GroupRebuild {
  key: string;
  rows: OperationRow[];
  tombstones: OperationKey[];
  failures: number;
}

const idOf = (traceId: string, spanId: string) => traceId + '/' + spanId;

/**
 * Limits an incremental rebuild's output (tail.ts): only the operations of the traces rebuilt (and those
 * without a trace) are written; an operation of a context trace only when its failures changed (a finding
 * that spans traces), with the day its stored row has.
 */
export interface RebuildScope {
  rebuild: ReadonlySet<string>;
  /** `trace/span` of each stored operation of the context traces -> its failures' signature and day. */
  context: ReadonlyMap<string, { signature: string; day: string }>;
}

/**
 * Rebuilds one group: operations from its spans and logs (each call once), span-local and run-level failures
 * attached to the operation they concern, each operation's partition day (kept from its previous row so the
 * new version replaces it), and tombstones for previous rows (of this group, or of trace groups folded into
 * it) that the rebuild no longer produces.
 */
export function rebuildGroup(input: GroupInput, previous: OperationKey[], rules: Rules | undefined, scope?: RebuildScope): GroupRebuild {
  const ops: Operation[] = [];
  const seen = new Set<string>();
  for (const op of normalizeBatch(input.spans, input.logs, rules)) {
    const id = idOf(op.traceId, op.spanId);
    if (seen.has(id)) continue; // identities are unique per group by construction; never write two rows for one key
    seen.add(id);
    ops.push(op);
  }

  const failuresOf = new Map<string, Failure[]>();
  const attach = (f: Failure, fallback: Operation | undefined) => {
    let id = idOf(f.traceId, f.spanId);
    if (!seen.has(id) && fallback) id = idOf(fallback.traceId, fallback.spanId);
    const list = failuresOf.get(id);
    if (list) list.push(f);
    else failuresOf.set(id, [f]);
  };
  for (const op of ops) for (const f of detectSpan(op)) attach(f, op);
  const firstOfTrace = new Map<string, Operation>();
  for (const op of ops) if (!firstOfTrace.has(op.traceId)) firstOfTrace.set(op.traceId, op);
  for (const f of detectRun(ops)) attach(f, firstOfTrace.get(f.traceId) ?? ops[0]);

  const prevDay = new Map<string, string>();
  for (const p of previous) if (p.groupKey === input.key) prevDay.set(idOf(p.traceId, p.spanId), p.day);
  let failures = 0;
  const rows: OperationRow[] = [];
  for (const op of ops) {
    const id = idOf(op.traceId, op.spanId);
    const f = failuresOf.get(id) ?? [];
    let day = prevDay.get(id);
    if (scope && op.traceId !== '' && !scope.rebuild.has(op.traceId)) {
      const stored = scope.context.get(id);
      if (!stored || stored.signature === failureSignature(f)) continue;
      day = stored.day;
    }
    failures += f.length;
    rows.push({ op, day: day ?? dayOf(op.startTimeUnixNano), failures: f });
  }
  const tombstones = previous.filter((p) => p.groupKey !== input.key || !seen.has(idOf(p.traceId, p.spanId)));
  return { key: input.key, rows, tombstones, failures };
}
