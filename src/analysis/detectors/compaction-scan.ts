// The scan behind task_lost_after_compaction (task-lost-after-compaction.ts), in O(n log n) over a run
// instead of a pass over the whole run per compaction: a long session compacts again and again, and the
// pairwise form cost (compactions x operations).
//
// For each compaction, in order, the run splits into the work before it (a prefix in time order) and the
// work after it (a suffix). The loss is (a) the first call after it whose fingerprint was called before,
// or (b) no call at all after it and a short final answer. "Called before" is: its first occurrence lies
// in the prefix, so (a) is "the first suffix call whose first occurrence is before the prefix end", a
// minimum query answered by a segment tree. Which calls count follows toolCalls(): executed tool
// operations when the part (prefix or suffix) has any, else the calls its model outputs requested.
import type { Operation } from '../../model/operation.js';
import { type ToolCallRef, fingerprintOf, toolCalls } from './fingerprint.js';
import { requestedToolCalls } from './tool-calls.js';
import { type AgentRun, compareNanos, isCompaction } from './run.js';
import { hasError } from './signals.js';
import { assistantText, excerpt } from './text.js';

/** A final answer this short, with no tool call since the compaction, reads as "forgot the task". */
export const SHORT_FINAL_ANSWER = 24;

/** Work done by the scan in elementary steps, for tests that check it stays n log n (see tests/analysis). */
export const compactionScanWork = { steps: 0 };

interface Call {
  ref: ToolCallRef;
  /** Position of its operation among the run's non-compaction operations. */
  pos: number;
  /** Call id of a requested call ('' when none or executed). */
  id: string;
}

/** Segment tree over values; finds the first index >= from whose value is < bound. */
class MinTree {
  private readonly size: number;
  private readonly tree: Float64Array;

  constructor(values: number[]) {
    let size = 1;
    while (size < values.length) size <<= 1;
    this.size = size;
    this.tree = new Float64Array(2 * size).fill(Infinity);
    for (let i = 0; i < values.length; i++) this.tree[size + i] = values[i];
    for (let i = size - 1; i >= 1; i--) this.tree[i] = Math.min(this.tree[2 * i], this.tree[2 * i + 1]);
  }

  firstBelow(from: number, bound: number): number {
    return this.search(1, 0, this.size, from, bound);
  }

  private search(node: number, lo: number, hi: number, from: number, bound: number): number {
    compactionScanWork.steps++;
    if (hi <= from || this.tree[node] >= bound) return -1;
    if (hi - lo === 1) return lo;
    const mid = (lo + hi) >> 1;
    const left = this.search(2 * node, lo, mid, from, bound);
    return left >= 0 ? left : this.search(2 * node + 1, mid, hi, from, bound);
  }
}

/**
 * The calls of each operation with its position, as toolCalls() counts them: executed tool operations, or
 * the calls model outputs requested (with their call id, which toolCalls() dedupes a part's calls on).
 */
function callsOf(ops: readonly Operation[], kind: 'executed' | 'requested'): Call[] {
  const out: Call[] = [];
  for (let pos = 0; pos < ops.length; pos++) {
    const op = ops[pos];
    if (kind === 'executed' ? op.kind !== 'tool' : op.kind !== 'llm') continue;
    if (kind === 'executed') {
      for (const ref of toolCalls([op])) out.push({ ref, pos, id: '' });
      continue;
    }
    for (const call of requestedToolCalls(op)) {
      if (call.name === '' || call.arguments.trim() === '') continue;
      out.push({ ref: { op, name: call.name, arguments: call.arguments, fingerprint: fingerprintOf(call.name, call.arguments) }, pos, id: call.id });
    }
  }
  return out;
}

/** First position whose operation starts at or after `t` (ops are in start order). */
function startingFrom(ops: readonly Operation[], t: string): number {
  let lo = 0;
  let hi = ops.length;
  while (lo < hi) {
    compactionScanWork.steps++;
    const mid = (lo + hi) >>> 1;
    if (compareNanos(ops[mid].startTimeUnixNano, t) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function firstLoss(run: AgentRun): { op: Operation; evidence: string } | null {
  const compactions = run.ops.filter(isCompaction);
  if (compactions.length === 0) return null;
  const work = run.ops.filter((o) => !isCompaction(o));
  const n = work.length;

  const executed = callsOf(work, 'executed');
  // Requested calls: toolCalls() on one operation cannot dedupe across operations; do it here by call id,
  // first occurrence kept, as toolCalls() does over a whole part.
  const requested: Call[] = [];
  {
    const ids = new Set<string>();
    for (const c of callsOf(work, 'requested')) {
      const id = c.id;
      if (id !== '') {
        if (ids.has(id)) continue;
        ids.add(id);
      }
      requested.push(c);
    }
  }
  const firstExecuted = executed.length ? executed[0].pos : n;
  const lastExecuted = executed.length ? executed[executed.length - 1].pos : -1;
  let lastTool = -1;
  for (let p = 0; p < n; p++) if (work[p].kind === 'tool') lastTool = p;
  // The final answer after position j: the model call (not a compaction) that ended last.
  const finalFrom: (Operation | null)[] = new Array(n + 1).fill(null);
  for (let p = n - 1; p >= 0; p--) {
    const o = work[p];
    const next = finalFrom[p + 1];
    finalFrom[p] = o.kind === 'llm' && (next === null || compareNanos(o.endTimeUnixNano, next.endTimeUnixNano) > 0) ? o : next;
  }

  const firstOcc = (calls: Call[]) => {
    const m = new Map<string, number>();
    for (const c of calls) if (!m.has(c.ref.fingerprint)) m.set(c.ref.fingerprint, c.pos);
    return m;
  };
  const trees = new Map<string, MinTree>();
  const tree = (suffix: Call[], suffixKind: string, prefixOcc: Map<string, number>, prefixKind: string) => {
    const k = suffixKind + '/' + prefixKind;
    let t = trees.get(k);
    if (!t) trees.set(k, (t = new MinTree(suffix.map((c) => prefixOcc.get(c.ref.fingerprint) ?? Infinity))));
    return t;
  };
  const occ = { executed: firstOcc(executed), requested: firstOcc(requested) };
  // Every requested call may start a suffix's list (dedupe inside a suffix keeps a call's first occurrence there).
  const requestedAll = callsOf(work, 'requested');
  // Position of the previous requested call with the same id (-1 when none): in a part that holds both,
  // the later one is dropped.
  const repeatsId: number[] = [];
  {
    const lastPos = new Map<string, number>();
    for (const c of requestedAll) {
      repeatsId.push(c.id !== '' ? (lastPos.get(c.id) ?? -1) : -1);
      if (c.id !== '') lastPos.set(c.id, c.pos);
    }
  }

  for (const c of compactions) {
    const i = startingFrom(work, c.startTimeUnixNano); // work before: [0, i)
    const end = compareNanos(c.endTimeUnixNano, c.startTimeUnixNano) > 0 ? c.endTimeUnixNano : c.startTimeUnixNano;
    const j = startingFrom(work, end); // work after: [j, n)
    const prefixKind = firstExecuted < i ? 'executed' : 'requested';
    const prefixOcc = occ[prefixKind];
    const prefixCalls = prefixKind === 'executed' ? executed : requested;
    if (prefixCalls.length === 0 || prefixCalls[0].pos >= i) continue; // no work done yet: nothing to lose
    const what = describe(c);

    const suffixKind = lastExecuted >= j ? 'executed' : 'requested';
    const suffix = suffixKind === 'executed' ? executed : requestedAll;
    const from = lowerPos(suffix, j);
    const t = tree(suffix, suffixKind, prefixOcc, prefixKind);
    let at = t.firstBelow(from, i);
    // A requested call whose id an earlier call of the same part already had is not counted (toolCalls()
    // dedupes by id): look further. Only repeated ids cost extra looks, and real ones are unique.
    while (at >= 0 && suffixKind === 'requested' && repeatsId[at] >= j) at = t.firstBelow(at + 1, i);
    if (at >= 0 && at < suffix.length) {
      const redo = suffix[at].ref;
      return { op: redo.op, evidence: `after ${what}, ${redo.name} was called again with the same arguments: ${redo.arguments}` };
    }
    if (from < suffix.length || lastTool >= j) continue;

    const final = finalFrom[j];
    if (!final || hasError(final)) continue;
    const answer = assistantText(final.outputMessages).trim();
    if (answer !== '' && answer.length <= SHORT_FINAL_ANSWER) {
      return { op: final, evidence: `after ${what}, no further tool call; final answer: "${excerpt(answer, 60)}"` };
    }
  }
  return null;
}

/** First index of `calls` whose position is >= pos. */
function lowerPos(calls: Call[], pos: number): number {
  let lo = 0;
  let hi = calls.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (calls[mid].pos < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function describe(c: Operation): string {
  const d = c.compaction;
  if (!d) return 'compaction';
  const tokens = d.tokensBefore !== null && d.tokensAfter !== null ? ` (${d.tokensBefore} -> ${d.tokensAfter} tokens)` : '';
  return `${d.trigger ? d.trigger + ' ' : ''}compaction${tokens}`;
}
