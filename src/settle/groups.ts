// Groups, the unit the settle loop rebuilds: a conversation ('s:<session id>') when any of a trace's records
// names one, else the trace ('t:<trace id>'). Spans and log events of one call can arrive in different
// requests minutes apart, and Claude Code sends log events without a trace id: only a whole conversation
// merges them into one record per call. And what each request brought to its groups (groupsOf), which the
// settle loop keeps until it rebuilds them.
import type { Attributes } from '../model/otlp.js';
import { SESSION_KEYS } from '../normalize/dialects/index.js';
import { sessionIdOf } from '../store/rows/session.js';
import { nanosToMs } from '../analysis/tail.js';

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
      if (t === 0) continue; // no time: it joins no trace by time (a renormalize still reads it)
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

