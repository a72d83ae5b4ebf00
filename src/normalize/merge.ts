// One operation per call when both a span and a log event describe it (Claude Code sends both; semconv
// instrumentations emit inference-details events inside the inference span). A log operation is merged into
// the span operation of the same kind that it matches, tried in this order:
//   1. same identity (records with derived ids: compaction, synthesized subagents);
//   2. same tool call id (tools) or request id (LLM calls), in the same session or trace;
//   3. emitted inside that span (log span id = the span) — the OTel "same trace/span" correlation; or, when
//      that span is of another kind, its one unmatched child of the log's kind and tool (Gemini CLI emits
//      `gemini_cli.tool_call` in `schedule_tool_calls`, whose child `tool_call` span is the call; with several
//      such children, the one that ended nearest the event);
//   4. a subagent with the same agent id in the same session;
//   5. a compaction in the same session, trace and enclosing span;
//   6. last resort, when ids are missing (Gemini CLI tool events): the only unmatched span operation of
//      that kind, session and tool/model whose time range contains the event.
// The span keeps its identity and fields; the log fills gaps (cost, messages, exact compaction numbers), and
// the result is marked 'span+log'. Unmatched log operations are kept as they are.
// Log operations without a trace id (events an agent emits outside any span: Codex response events, the
// Gemini CLI user prompt) then join the trace of their conversation that was running at the time (see
// adoptTraces), so a trace id is never empty when the conversation has traces.
import { combine, identityKey } from './combine.js';
import { linkAgents } from './link.js';
import type { Operation } from '../model/operation.js';
import { cmpNanos } from './values.js';
import { normalizeWork } from './work.js';

function compatible(s: Operation, l: Operation): boolean {
  if (s.sessionId && l.sessionId) return s.sessionId === l.sessionId;
  if (s.traceId && l.traceId) return s.traceId === l.traceId;
  return true;
}

function multiIndex(ops: Operation[], key: (o: Operation) => string): Map<string, Operation[]> {
  const m = new Map<string, Operation[]>();
  for (const o of ops) {
    const k = key(o);
    if (!k) continue;
    const list = m.get(k);
    if (list) list.push(o);
    else m.set(k, [o]);
  }
  return m;
}

const WINDOW_NS = 2_000_000_000n;

function bigOrNull(nanos: string): bigint | null {
  try {
    return BigInt(nanos);
  } catch {
    return null;
  }
}

/**
 * Span operations of one kind, session and tool/model, sorted by start, for the last-resort match: the log
 * event's end must fall in a span's time range (with WINDOW_NS slack either side), and exactly one span not
 * matched yet may qualify. Only spans that start early enough are looked at, back to the longest duration
 * in the list, and the look stops at a second candidate, so a long session does not cost its square.
 */
class TimeIndex {
  private readonly items: { op: Operation; start: bigint; end: bigint }[] = [];
  private readonly matched = new Set<Operation>();
  private longest = 0n;

  constructor(ops: Operation[]) {
    for (const op of ops) {
      const start = bigOrNull(op.startTimeUnixNano);
      const end = bigOrNull(op.endTimeUnixNano);
      if (start === null || end === null) continue; // never contains anything
      this.items.push({ op, start, end });
      if (end - start > this.longest) this.longest = end - start;
    }
    this.items.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  takeOnly(l: Operation): Operation | undefined {
    const t = bigOrNull(l.endTimeUnixNano);
    if (t === null) return undefined;
    // Past the last span that starts no later than t + WINDOW_NS, nothing can contain t.
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].start <= t + WINDOW_NS) lo = mid + 1;
      else hi = mid;
    }
    let found: Operation | undefined;
    for (let i = lo - 1; i >= 0; i--) {
      normalizeWork.steps++;
      const it = this.items[i];
      if (it.start + this.longest + WINDOW_NS < t) break; // it and everything before ended too early
      if (this.matched.has(it.op) || it.end + WINDOW_NS < t) continue;
      if (found) return undefined; // two candidates: ambiguous
      found = it.op;
    }
    if (found) this.matched.add(found);
    return found;
  }
}

export function mergeOperations(fromSpans: Operation[], fromLogs: Operation[]): Operation[] {
  if (fromLogs.length === 0) return fromSpans;
  if (fromSpans.length === 0) {
    adoptTraces([], fromLogs);
    return fromLogs;
  }
  const byIdentity = new Map(fromSpans.map((o) => [identityKey(o), o]));
  const byToolCall = multiIndex(fromSpans, (o) => (o.kind === 'tool' && o.toolCallId ? o.toolCallId : ''));
  const byRequest = multiIndex(fromSpans, (o) => (o.kind === 'llm' && o.requestId ? o.requestId : ''));
  const bySpan = multiIndex(fromSpans, (o) => o.traceId + '/' + o.spanId);
  const byAgent = multiIndex(fromSpans, (o) => (o.kind === 'subagent' && o.agentId ? o.agentId : ''));
  const byParent = multiIndex(fromSpans, (o) => (o.kind === 'compaction' ? o.traceId + '/' + o.parentSpanId : ''));
  const fuzzyKey = (o: Operation) => o.kind + '/' + o.sessionId + '/' + (o.kind === 'tool' ? o.toolName : o.requestModel);
  let fuzzyLists: Map<string, Operation[]> | undefined;
  const byFuzzy = new Map<string, TimeIndex>();
  const byParentSpan = multiIndex(fromSpans, (o) => (o.kind === 'tool' || o.kind === 'llm' ? o.traceId + '/' + o.parentSpanId : ''));
  const matchedAsChild = new Set<Operation>();
  const rest: Operation[] = [];
  for (const l of fromLogs) {
    const pick = (list: Operation[] | undefined, extra?: (s: Operation) => boolean): Operation | undefined =>
      list?.find((s) => s.kind === l.kind && compatible(s, l) && (!extra || extra(s)));
    let target = byIdentity.get(identityKey(l));
    if (!target && l.kind === 'tool' && l.toolCallId) target = pick(byToolCall.get(l.toolCallId));
    if (!target && l.kind === 'llm' && l.requestId) target = pick(byRequest.get(l.requestId));
    if (!target && l.parentSpanId) target = pick(bySpan.get(l.traceId + '/' + l.parentSpanId));
    if (!target && l.parentSpanId && (l.kind === 'tool' || l.kind === 'llm')) {
      target = nearestChild(byParentSpan.get(l.traceId + '/' + l.parentSpanId), l, matchedAsChild);
      if (target) matchedAsChild.add(target);
    }
    if (!target && l.kind === 'subagent' && l.agentId) target = pick(byAgent.get(l.agentId));
    if (!target && l.kind === 'compaction' && l.traceId) target = pick(byParent.get(l.traceId + '/' + l.parentSpanId));
    if (!target && !l.toolCallId && !l.requestId && l.sessionId) {
      const k = fuzzyKey(l);
      let index = byFuzzy.get(k);
      fuzzyLists ??= multiIndex(fromSpans, fuzzyKey);
      if (!index) byFuzzy.set(k, (index = new TimeIndex(fuzzyLists.get(k) ?? [])));
      target = index.takeOnly(l);
    }
    if (target) combine(target, l, false);
    else rest.push(l);
  }
  if (rest.length) adoptTraces(fromSpans, rest);
  // Agent fields may have been completed by the logs (e.g. a subagent's name): link once more, over both.
  return linkAgents(rest.length ? [...fromSpans, ...rest] : fromSpans);
}

/** The unmatched child of the log's kind (and tool name) that ended nearest the log event. */
function nearestChild(children: Operation[] | undefined, l: Operation, taken: Set<Operation>): Operation | undefined {
  let best: Operation | undefined;
  let bestGap = 0n;
  for (const c of children ?? []) {
    if (c.kind !== l.kind || taken.has(c) || !compatible(c, l)) continue;
    if (l.kind === 'tool' && c.toolName && l.toolName && c.toolName !== l.toolName) continue;
    let gap: bigint;
    try {
      gap = BigInt(c.endTimeUnixNano) - BigInt(l.endTimeUnixNano);
    } catch {
      continue;
    }
    if (gap < 0n) gap = -gap;
    if (!best || gap < bestGap) {
      best = c;
      bestGap = gap;
    }
  }
  return best;
}

/**
 * Log operations with no trace id but a session join the latest trace of that session that had started by
 * then (or its first trace, for events before any span). O(n log n): one sort of the traced operations.
 */
function adoptTraces(spans: Operation[], logs: Operation[]): void {
  const traced = new Map<string, Operation[]>();
  const add = (o: Operation) => {
    if (!o.traceId || !o.sessionId) return;
    const list = traced.get(o.sessionId);
    if (list) list.push(o);
    else traced.set(o.sessionId, [o]);
  };
  for (const o of spans) add(o);
  for (const o of logs) add(o);
  if (traced.size === 0) return;
  for (const list of traced.values()) list.sort((a, b) => cmpNanos(a.startTimeUnixNano, b.startTimeUnixNano));
  for (const l of logs) {
    if (l.traceId || !l.sessionId) continue;
    const list = traced.get(l.sessionId);
    if (!list) continue;
    // Binary search: the last traced operation that started at or before this one.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpNanos(list[mid].startTimeUnixNano, l.startTimeUnixNano) <= 0) lo = mid + 1;
      else hi = mid;
    }
    l.traceId = list[Math.max(0, lo - 1)].traceId;
  }
}
