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

function contains(s: Operation, l: Operation): boolean {
  try {
    const t = BigInt(l.endTimeUnixNano);
    return t >= BigInt(s.startTimeUnixNano) - WINDOW_NS && t <= BigInt(s.endTimeUnixNano) + WINDOW_NS;
  } catch {
    return false;
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
  const byFuzzy = multiIndex(fromSpans, (o) => o.kind + '/' + o.sessionId + '/' + (o.kind === 'tool' ? o.toolName : o.requestModel));
  const matchedByFuzzy = new Set<Operation>();
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
      const cands = (byFuzzy.get(l.kind + '/' + l.sessionId + '/' + (l.kind === 'tool' ? l.toolName : l.requestModel)) ?? []).filter(
        (s) => !matchedByFuzzy.has(s) && contains(s, l),
      );
      if (cands.length === 1) {
        target = cands[0];
        matchedByFuzzy.add(target);
      }
    }
    if (target) combine(target, l, false);
    else rest.push(l);
  }
  // Agent fields may have been completed by the logs (e.g. a subagent's name): link once more, over both.
  return linkAgents(rest.length ? [...fromSpans, ...rest] : fromSpans);
}
