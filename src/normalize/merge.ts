// One operation per call when both a span and a log event describe it (Claude Code sends both; semconv
// instrumentations emit inference-details events inside the inference span). A log operation is merged into
// the span operation of the same kind that it matches, tried in this order:
//   1. same identity (records with derived ids: compaction, synthesized subagents);
//   2. same tool call id (tools) or request id (LLM calls), in the same session or trace;
//   3. emitted inside that span (log span id = the span) — the OTel "same trace/span" correlation;
//   4. a subagent with the same agent id in the same session;
//   5. a compaction in the same session, trace and enclosing span;
//   6. last resort, when ids are missing (Gemini CLI tool events): the only unmatched span operation of
//      that kind, session and tool/model whose time range contains the event.
// The span keeps its identity and fields; the log fills gaps (cost, messages, exact compaction numbers), and
// the result is marked 'span+log'. Unmatched log operations are kept as they are.
import { combine, identityKey } from './combine.js';
import { linkAgents } from './link.js';
import type { Operation } from '../model/operation.js';
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
  if (fromSpans.length === 0) return fromLogs;
  const byIdentity = new Map(fromSpans.map((o) => [identityKey(o), o]));
  const byToolCall = multiIndex(fromSpans, (o) => (o.kind === 'tool' && o.toolCallId ? o.toolCallId : ''));
  const byRequest = multiIndex(fromSpans, (o) => (o.kind === 'llm' && o.requestId ? o.requestId : ''));
  const bySpan = multiIndex(fromSpans, (o) => o.traceId + '/' + o.spanId);
  const byAgent = multiIndex(fromSpans, (o) => (o.kind === 'subagent' && o.agentId ? o.agentId : ''));
  const byParent = multiIndex(fromSpans, (o) => (o.kind === 'compaction' ? o.traceId + '/' + o.parentSpanId : ''));
  const fuzzyKey = (o: Operation) => o.kind + '/' + o.sessionId + '/' + (o.kind === 'tool' ? o.toolName : o.requestModel);
  let fuzzyLists: Map<string, Operation[]> | undefined;
  const byFuzzy = new Map<string, TimeIndex>();
  const rest: Operation[] = [];
  for (const l of fromLogs) {
    const pick = (list: Operation[] | undefined, extra?: (s: Operation) => boolean): Operation | undefined =>
      list?.find((s) => s.kind === l.kind && compatible(s, l) && (!extra || extra(s)));
    let target = byIdentity.get(identityKey(l));
    if (!target && l.kind === 'tool' && l.toolCallId) target = pick(byToolCall.get(l.toolCallId));
    if (!target && l.kind === 'llm' && l.requestId) target = pick(byRequest.get(l.requestId));
    if (!target && l.parentSpanId) target = pick(bySpan.get(l.traceId + '/' + l.parentSpanId));
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
  // Agent fields may have been completed by the logs (e.g. a subagent's name): link once more, over both.
  return linkAgents(rest.length ? [...fromSpans, ...rest] : fromSpans);
}
