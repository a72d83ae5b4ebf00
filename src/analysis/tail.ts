// The stored tail of a conversation, and the plan of an incremental rebuild (pure).
//
// Rebuilding a whole conversation each time part of it settles costs work proportional to its length, so a
// long agent session costs its square in total (issue 15 measured minutes of CPU for one 250k-span session).
// Instead, once a conversation has been built, each later rebuild reads only the traces that received data,
// plus the conversation's most recent traces as read-only context: what merging log events into spans,
// linking subagents to the calls that spawned them and the run-level detectors need of the past lies in
// the recent traces. The tail is the list of those traces (id and time range), kept per conversation in
// `conversation_tails` (schemas/clickhouse/009_conversation_tails.sql); it is bounded (TAIL_TRACES), so a
// rebuild's cost does not depend on how long the session already is.
//
// What this gives up: a cross-trace finding (a tool call repeated across the fragments of a conversation,
// a task lost after a compaction) whose first half is more than TAIL_TRACES traces back is not found by an
// incremental rebuild; `renormalize`, which rebuilds the whole conversation, finds it.

/** Most recent traces a conversation's tail keeps, read as context by each incremental rebuild. */
export const TAIL_TRACES = 16;
/** Log events without a trace id this close to a trace's time range may belong to it (merge, adoption). */
export const TAIL_SLACK_MS = 60_000;
/** Most distinct traces remembered for one pending group; past it the group is rebuilt whole. */
export const MAX_TOUCHED_TRACES = 1024;

export interface TailTrace {
  id: string;
  /** Earliest record time (ms since the epoch). */
  start: number;
  /** Latest record end time (ms). */
  end: number;
}

export interface ConversationTail {
  /** Ordered by start, then id; at most TAIL_TRACES. */
  traces: TailTrace[];
  /** The conversation has older traces than the first one kept. */
  truncated: boolean;
}

export function parseTail(text: string): ConversationTail | undefined {
  try {
    const v = JSON.parse(text) as ConversationTail;
    if (!v || !Array.isArray(v.traces)) return undefined;
    return { traces: v.traces.filter((t) => typeof t.id === 'string' && Number.isFinite(t.start) && Number.isFinite(t.end)), truncated: v.truncated === true };
  } catch {
    return undefined;
  }
}

/** Milliseconds of a decimal nanosecond string (0 when unset or unreadable). */
export function nanosToMs(nanos: string): number {
  if (!nanos || nanos.length <= 6) return 0;
  const ms = Number(nanos.slice(0, -6));
  return Number.isFinite(ms) ? ms : 0;
}

/** Time range of each trace id among stored records (log events without a trace id are left out). */
export function traceRanges(spans: readonly { trace_id: string; start_ns: string; end_ns: string }[], logs: readonly { trace_id: string; time_ns: string; observed_ns: string }[]): Map<string, { start: number; end: number }> {
  const out = new Map<string, { start: number; end: number }>();
  const add = (id: string, start: number, end: number) => {
    if (!id) return;
    const r = out.get(id);
    if (!r) out.set(id, { start, end: Math.max(start, end) });
    else {
      if (start < r.start) r.start = start;
      if (end > r.end) r.end = end;
    }
  };
  for (const s of spans) add(s.trace_id, nanosToMs(s.start_ns), nanosToMs(s.end_ns));
  for (const l of logs) {
    const t = nanosToMs(l.time_ns) || nanosToMs(l.observed_ns);
    add(l.trace_id, t, t);
  }
  return out;
}

const byStart = (a: TailTrace, b: TailTrace) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The tail after a rebuild that saw `ranges` (those traces' whole records): updated, re-sorted, cut to `max`. */
export function nextTail(prev: ConversationTail | undefined, ranges: ReadonlyMap<string, { start: number; end: number }>, max = TAIL_TRACES): ConversationTail {
  const all = new Map<string, TailTrace>();
  for (const t of prev?.traces ?? []) all.set(t.id, { ...t });
  for (const [id, r] of ranges) all.set(id, { id, start: r.start, end: r.end });
  const sorted = [...all.values()].sort(byStart);
  const cut = Math.max(0, sorted.length - max);
  return { traces: sorted.slice(cut), truncated: (prev?.truncated ?? false) || cut > 0 };
}

export interface IncrementPlan {
  /** Traces rebuilt and rewritten: those that received data, and tail traces whose time the new log events fall in. */
  rebuild: string[];
  /** Tail traces read as context only: their operations are rewritten only where their failures changed. */
  context: string[];
}

/**
 * Which traces an incremental rebuild reads. `logs` is the time range (ms) of the log events without a trace
 * id that arrived since the last rebuild, if any: they join whichever trace was running then.
 */
export function planIncrement(tail: ConversationTail, touched: Iterable<string>, logs: { lo: number; hi: number } | undefined): IncrementPlan {
  const rebuild = new Set(touched);
  if (logs) {
    for (const t of tail.traces) if (t.start - TAIL_SLACK_MS <= logs.hi && t.end + TAIL_SLACK_MS >= logs.lo) rebuild.add(t.id);
  }
  const context = tail.traces.filter((t) => !rebuild.has(t.id)).map((t) => t.id);
  return { rebuild: [...rebuild], context };
}

/**
 * Whether the rebuilt traces can be judged with the tail as their context: not when one of them is older
 * than the tail's first trace while older traces exist (late data for an old trace), whose neighbours the
 * tail does not hold. Such a conversation is rebuilt whole.
 */
export function fitsTail(tail: ConversationTail, rebuilt: ReadonlyMap<string, { start: number; end: number }>): boolean {
  if (!tail.truncated || tail.traces.length === 0) return true;
  const first = tail.traces[0];
  const known = new Set(tail.traces.map((t) => t.id));
  for (const [id, r] of rebuilt) if (!known.has(id) && r.start < first.start) return false;
  return true;
}

/** A failure list as comparable text (stored rows and fresh findings alike). */
export function failureSignature(failures: readonly { mode: string; severity: string; evidence: string }[]): string {
  return failures.map((f) => `${f.mode}\u0001${f.severity}\u0001${f.evidence}`).join('\u0002');
}
