// Step 3 of linking (link.ts): a subagent known only from log events has no span tree to show which call
// started it, so it is given its parent agent's latest spawn-tool call (Agent, Task, ...) that started before
// it, in the same session (or trace), preferring a call whose arguments name the subagent's type. Greedy in
// the order of the operations; a call is given to one subagent at most.
//
// Done with sorted lists and binary search rather than by comparing every subagent with every operation: a
// long session holds thousands of both, and that product once kept a whole service busy for minutes. The
// lists are keyed by scope (session or trace), by the calling agent, and by each quoted string in the
// arguments (the "named" preference: the subagent's type appears there as a JSON string).
import type { Operation } from '../model/operation.js';
import { SPAWN_TOOLS } from './dialects/index.js';
import { normalizeWork } from './work.js';
import { cmpNanos, nonZero } from './values.js';


/** Log events carry end times and rounded durations: allow a second of slack before calling a tool "after". */
const SLACK_NS = 1_000_000_000n;

function startedAfter(t: string, start: string): boolean {
  if (!nonZero(t) || !nonZero(start)) return false;
  try {
    return BigInt(t) > BigInt(start) + SLACK_NS;
  } catch {
    return false;
  }
}

interface Candidate {
  op: Operation;
  /** Position in the operations: among calls that started at the same time, the first one wins. */
  index: number;
}

/** Candidates in ascending start order (ties: later position first), so the best one is the last eligible. */
class CandidateList {
  readonly items: Candidate[] = [];
  private skip: Int32Array | undefined;

  sort(): void {
    this.items.sort((a, b) => cmpNanos(a.op.startTimeUnixNano, b.op.startTimeUnixNano) || b.index - a.index);
    this.skip = new Int32Array(this.items.length);
    for (let i = 0; i < this.skip.length; i++) this.skip[i] = i - 1;
  }

  /** The latest unused candidate that did not start after `start` (plus slack). */
  best(start: string, used: Set<Operation>): Candidate | undefined {
    const items = this.items;
    // Last position whose call did not start after `start` (the predicate is monotone in this order).
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      normalizeWork.steps++;
      const mid = (lo + hi) >>> 1;
      if (startedAfter(items[mid].op.startTimeUnixNano, start)) hi = mid;
      else lo = mid + 1;
    }
    return this.unusedAtOrBefore(lo - 1, used);
  }

  /** Skips used candidates backwards, compressing the path so each is skipped O(1) times amortized. */
  private unusedAtOrBefore(i: number, used: Set<Operation>): Candidate | undefined {
    const skip = this.skip!;
    let j = i;
    while (j >= 0 && used.has(this.items[j].op)) {
      normalizeWork.steps++;
      j = skip[j];
    }
    // Path compression: every used position visited now points at the answer.
    let k = i;
    while (k >= 0 && k !== j && used.has(this.items[k].op)) {
      const next = skip[k];
      skip[k] = j;
      k = next;
    }
    return j >= 0 ? this.items[j] : undefined;
  }
}

/** Later start wins; on equal starts the earlier position (the order the old pairwise scan kept). */
function better(a: Candidate | undefined, b: Candidate | undefined): Candidate | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = cmpNanos(a.op.startTimeUnixNano, b.op.startTimeUnixNano);
  return c > 0 || (c === 0 && a.index < b.index) ? a : b;
}

const QUOTED = /"(?:[^"\\]|\\.)*"/g;

/** The quoted strings of a call's arguments (keys and values alike), as they appear in the text. */
function quotedStrings(args: string): Set<string> {
  const out = new Set<string>();
  if (args.indexOf('"') < 0) return out;
  for (const m of args.matchAll(QUOTED)) out.add(m[0]);
  return out;
}

export function matchSpawnCalls(all: Operation[]): void {
  let needs = false;
  for (const s of all) if (s.kind === 'subagent' && !s.toolCallId) needs = true;
  if (!needs) return;

  // Calls already given to a subagent (by id) are not offered again.
  const toolsByCallId = new Map<string, Operation[]>();
  for (const o of all) {
    if (o.kind !== 'tool' || !o.toolCallId) continue;
    const list = toolsByCallId.get(o.toolCallId);
    if (list) list.push(o);
    else toolsByCallId.set(o.toolCallId, [o]);
  }
  const used = new Set<Operation>();
  for (const s of all) if (s.kind === 'subagent' && s.toolCallId) for (const o of toolsByCallId.get(s.toolCallId) ?? []) used.add(o);

  // A subagent starts with its first call (its own record may carry no time).
  const firstOfAgent = new Map<string, string>();
  for (const o of all) {
    if (!nonZero(o.startTimeUnixNano)) continue;
    const cur = firstOfAgent.get(o.agentId);
    if (cur === undefined || cmpNanos(o.startTimeUnixNano, cur) < 0) firstOfAgent.set(o.agentId, o.startTimeUnixNano);
  }

  const lists = new Map<string, CandidateList>();
  const add = (k: string, c: Candidate) => {
    let l = lists.get(k);
    if (!l) lists.set(k, (l = new CandidateList()));
    l.items.push(c);
  };
  for (let i = 0; i < all.length; i++) {
    const t = all[i];
    if (t.kind !== 'tool' || !SPAWN_TOOLS.has(t.toolName)) continue;
    const c = { op: t, index: i };
    const names = quotedStrings(t.toolArguments);
    for (const scope of [t.sessionId ? 's' + t.sessionId : '', 't' + t.traceId]) {
      if (!scope) continue;
      for (const agent of ['*', 'a:' + t.agentId]) {
        const k = scope + '\u0000' + agent;
        add(k, c);
        for (const n of names) add(k + '\u0000' + n, c);
      }
    }
  }
  for (const l of lists.values()) l.sort();

  const pick = (base: string, name: string, start: string, parentAgentId: string): Candidate | undefined => {
    const from = (k: string) => lists.get(k)?.best(start, used);
    // Calls of the parent agent, or calls that do not say which agent made them.
    if (parentAgentId) return better(from(base + '\u0000a:' + parentAgentId + name), from(base + '\u0000a:' + name));
    return from(base + '\u0000*' + name);
  };
  for (const s of all) {
    if (s.kind !== 'subagent' || s.toolCallId) continue;
    const start = firstOfAgent.get(s.agentId) ?? s.startTimeUnixNano;
    const base = s.sessionId ? 's' + s.sessionId : 't' + s.traceId;
    const named = s.agentName ? pick(base, '\u0000' + JSON.stringify(s.agentName), start, s.parentAgentId) : undefined;
    const best = named ?? pick(base, '', start, s.parentAgentId);
    if (!best) continue;
    used.add(best.op);
    s.toolCallId = best.op.toolCallId;
    s.toolName = best.op.toolName;
    if (!s.parentSpanId) s.parentSpanId = best.op.spanId;
  }
}
