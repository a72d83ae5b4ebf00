// One group's rebuild, pure: normalize its spans and logs, detect, attach failures, decide partition days and
// tombstones. The settle loop around it (src/settle/) reads the group's records and writes the rows. A group
// is a conversation ('s:<session id>') or a trace without one ('t:<trace id>'): src/settle/groups.ts.
import type { Failure } from '../model/failure.js';
import { detectRun, detectSpan } from './detect.js';
import { type Rules, normalizeBatch } from '../normalize/index.js';
import type { Operation } from '../model/operation.js';
import type { LogRecord, Span } from '../model/otlp.js';
import type { OperationKey, OperationRow } from '../model/operation-row.js';
import { failureSignature } from './tail.js';

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
