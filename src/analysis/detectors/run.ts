// The view run-level detectors share: one trace's operations, deduplicated and put in a canonical
// order, split into agent runs. Everything here depends only on the set of operations, never on the
// order they arrived in, so re-running after late spans gives the same answer for the same set.
// Some agents split one run over several traces of a conversation (Gemini CLI: a trace per model call and
// per tool batch, none with an agent span): the traces of a conversation that have no agent span of their
// own are fragments, judged together as one view. A trace with its own agent span (a Claude Code
// interaction, a Codex turn) stays a view of its own, so a command repeated in two user turns is no loop.
import type { Operation } from '../../model/operation.js';

export interface AgentRun {
  /** 'a:<agentId>', 's:<spanId of the agent operation>', or 't:' for operations outside any agent. */
  key: string;
  /** This run's operations in canonical time order. */
  ops: Operation[];
  /** The agent or subagent operation that spans the run, when the trace has one. */
  agentOp: Operation | null;
  /** A run started by another agent: a subagent operation spans it, or its calls have a parent agent or depth > 0. */
  subagent: boolean;
}

export interface RunView {
  /** The trace, or for fragments of a conversation the smallest of their trace ids. */
  traceId: string;
  /** All operations of the trace in canonical time order. */
  ops: Operation[];
  /** Agent runs, ordered by their first operation. */
  runs: AgentRun[];
}

/** Compares unsigned decimal nanosecond strings without BigInt: by length, then lexically. */
export function compareNanos(a: string, b: string): number {
  const x = trimZeros(a);
  const y = trimZeros(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function trimZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return s === '' ? '0' : i === 0 ? s : s.slice(i);
}

/**
 * Canonical order: start time, then end time (SDKs that stamp starts in milliseconds tie a short tool call
 * with the model call right after it: the one that ended first came first), then a parent before its
 * child, then span id, so equal timestamps still sort one way.
 */
export function compareOps(a: Operation, b: Operation): number {
  return (
    compareNanos(a.startTimeUnixNano, b.startTimeUnixNano) ||
    compareNanos(a.endTimeUnixNano, b.endTimeUnixNano) ||
    (a.spanId === b.parentSpanId ? -1 : b.spanId === a.parentSpanId ? 1 : 0) ||
    (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0)
  );
}

const SOURCE_RANK: Record<Operation['source'], number> = { 'span+log': 0, span: 1, log: 2 };

/** One view per trace id (fragments of one conversation: one view for them all), ordered by trace id. */
export function buildRunViews(ops: readonly Operation[]): RunView[] {
  const byTrace = new Map<string, Operation[]>();
  for (const op of ops) {
    let list = byTrace.get(op.traceId);
    if (!list) byTrace.set(op.traceId, (list = []));
    list.push(op);
  }
  // Fragments: traces that name a conversation and hold no agent span.
  const views = new Map<string, { traceId: string; ops: Operation[] }>();
  for (const [traceId, list] of byTrace) {
    let session = '';
    let agentSpan = false;
    for (const op of list) {
      if (op.sessionId && (session === '' || op.sessionId < session)) session = op.sessionId;
      if ((op.kind === 'agent' || op.kind === 'subagent') && op.source !== 'log') agentSpan = true;
    }
    const key = session && !agentSpan ? 'c:' + session : 't:' + traceId;
    const v = views.get(key);
    if (!v) views.set(key, { traceId, ops: list.slice() });
    else {
      if (traceId < v.traceId) v.traceId = traceId;
      for (const op of list) v.ops.push(op);
    }
  }
  return [...views.values()].sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0)).map((v) => buildRunView(v.traceId, v.ops));
}

const spanKey = (traceId: string, spanId: string) => traceId + '/' + spanId;

function buildRunView(traceId: string, input: Operation[]): RunView {
  const ops = dedupe(input).sort(compareOps);
  const bySpan = new Map<string, Operation>();
  for (const op of ops) bySpan.set(spanKey(op.traceId, op.spanId), op);

  const runs = new Map<string, AgentRun>();
  for (const op of ops) {
    const key = runKey(op, bySpan);
    let run = runs.get(key);
    if (!run) runs.set(key, (run = { key, ops: [], agentOp: null, subagent: false }));
    run.ops.push(op);
    if (run.agentOp === null && (op.kind === 'agent' || op.kind === 'subagent')) run.agentOp = op;
  }
  for (const run of runs.values()) {
    const a = run.agentOp;
    // Without an agent operation, a parent agent id (Claude Code sets one on subagent calls only) or a
    // depth tells a subagent's calls from the main agent's.
    run.subagent = a ? a.kind === 'subagent' || a.depth > 0 : run.ops.some((o) => o.depth > 0 || o.parentAgentId !== '');
  }
  return { traceId, ops, runs: [...runs.values()] };
}

/**
 * The same span can reach the detectors twice (redelivery, or once bare and once merged with its log
 * events). Keep one per span id, preferring the merged one, then the earliest in canonical order.
 */
function dedupe(input: Operation[]): Operation[] {
  const best = new Map<string, Operation>();
  for (const op of input) {
    const k = spanKey(op.traceId, op.spanId);
    const cur = best.get(k);
    if (!cur || SOURCE_RANK[op.source] < SOURCE_RANK[cur.source] || (SOURCE_RANK[op.source] === SOURCE_RANK[cur.source] && compareOps(op, cur) < 0)) {
      best.set(k, op);
    }
  }
  return [...best.values()];
}

/** Parent walks stop here; real agent trees are far shallower, and cycles in bad data must end. */
const MAX_WALK = 256;

/**
 * Which run an operation belongs to: its own agent id when set; otherwise the nearest ancestor that
 * is an agent operation or carries an agent id (Claude Code puts agent_id on a subagent's LLM and
 * tool spans but not on every child of them).
 */
function runKey(op: Operation, bySpan: Map<string, Operation>): string {
  if (op.agentId !== '') return 'a:' + op.agentId;
  let cur: Operation | undefined = op;
  for (let i = 0; cur && i < MAX_WALK; i++) {
    if (cur.agentId !== '') return 'a:' + cur.agentId;
    if (cur.kind === 'agent' || cur.kind === 'subagent') return 's:' + cur.spanId;
    cur = cur.parentSpanId !== '' ? bySpan.get(spanKey(cur.traceId, cur.parentSpanId)) : undefined;
  }
  return 't:';
}

export function isCompaction(op: Operation): boolean {
  return op.kind === 'compaction' || op.compaction !== null;
}

/** The run's model calls that could carry its answer (compaction summaries excluded), in time order. */
export function answerCalls(ops: readonly Operation[]): Operation[] {
  return ops.filter((o) => o.kind === 'llm' && !isCompaction(o));
}

/** The call that ended last (by end time, then canonical order), or null. */
export function lastToEnd(ops: readonly Operation[]): Operation | null {
  let last: Operation | null = null;
  for (const o of ops) if (last === null || compareNanos(o.endTimeUnixNano, last.endTimeUnixNano) >= 0) last = o;
  return last;
}
