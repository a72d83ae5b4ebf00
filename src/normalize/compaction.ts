// Estimates for compaction records that were inferred rather than reported (Claude Code spans only show the
// `query_source=compact` request; semconv only flags the call that received compacted history). The context
// before compaction is the prompt size of the agent's last call before it; the context after is the prompt
// size of its first call after it. A reported record (Claude Code `compaction` event) replaces these when
// the two are combined.
import { messagesText } from './messages.js';
import type { Operation } from '../model/operation.js';
import { cmpNanos } from './values.js';

export function estimateCompactions(ops: Operation[]): void {
  let calls: Map<string, Operation[]> | undefined;
  let byKey: Map<string, Operation> | undefined;
  for (const c of ops) {
    if (c.kind !== 'compaction' || !c.compaction?.estimated) continue;
    if (c.compaction.tokensBefore !== null && c.compaction.tokensAfter !== null) continue;
    calls ??= groupCalls(ops);
    const list = calls.get(scope(c)) ?? [];
    let before: Operation | undefined;
    let after: Operation | undefined;
    for (const l of list) {
      if (l.requestId && l.requestId === c.requestId) continue; // the summarizing call itself
      if (cmpNanos(l.startTimeUnixNano, c.startTimeUnixNano) < 0) before = l;
      else if (!after) after = l;
    }
    if (c.compaction.tokensBefore === null && before) c.compaction.tokensBefore = before.inputTokens;
    if (c.compaction.tokensAfter === null && after) c.compaction.tokensAfter = after.inputTokens;
    // Claude Code: `/compact` typed by the user makes the turn's compaction manual.
    if (c.compaction.trigger === 'auto' && c.parentSpanId) {
      byKey ??= new Map(ops.filter((o) => o.kind === 'agent' || o.kind === 'subagent').map((o) => [o.traceId + '/' + o.spanId, o]));
      const turn = byKey.get(c.traceId + '/' + c.parentSpanId);
      if (turn && /^\s*\/compact\b/.test(messagesText(turn.inputMessages))) c.compaction.trigger = 'manual';
    }
  }
}

function scope(o: Operation): string {
  return (o.sessionId || o.traceId) + '/' + o.agentId;
}

/** LLM calls with a prompt size, per session and agent, in start order. */
function groupCalls(ops: Operation[]): Map<string, Operation[]> {
  const m = new Map<string, Operation[]>();
  for (const o of ops) {
    if (o.kind !== 'llm' || o.inputTokens === null) continue;
    const k = scope(o);
    const list = m.get(k);
    if (list) list.push(o);
    else m.set(k, [o]);
  }
  for (const list of m.values()) list.sort((a, b) => cmpNanos(a.startTimeUnixNano, b.startTimeUnixNano));
  return m;
}
