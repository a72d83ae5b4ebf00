// The pairwise forms of two batch-wide steps, as they were before they were made n log n (spawn-call
// matching of src/normalize/spawn-match.ts, the scan of src/analysis/detectors/compaction-scan.ts). Kept
// only as oracles: tests/analysis/scale.test.ts checks the fast forms give the same answers on random input.
import type { Operation } from '../../src/model/operation.js';
import { toolCalls } from '../../src/analysis/detectors/fingerprint.js';
import { type AgentRun, answerCalls, compareNanos, isCompaction, lastToEnd } from '../../src/analysis/detectors/run.js';
import { hasError } from '../../src/analysis/detectors/signals.js';
import { assistantText } from '../../src/analysis/detectors/text.js';
import { SPAWN_TOOLS } from '../../src/normalize/dialects/index.js';
import { cmpNanos, nonZero } from '../../src/normalize/values.js';

const SLACK_NS = 1_000_000_000n;

function startedAfter(t: string, start: string): boolean {
  if (!nonZero(t) || !nonZero(start)) return false;
  try {
    return BigInt(t) > BigInt(start) + SLACK_NS;
  } catch {
    return false;
  }
}

function firstStart(s: Operation, all: Operation[]): string {
  let start = s.startTimeUnixNano;
  for (const o of all) {
    if (o.agentId !== s.agentId || o === s || !nonZero(o.startTimeUnixNano)) continue;
    if (!nonZero(start) || cmpNanos(o.startTimeUnixNano, start) < 0) start = o.startTimeUnixNano;
  }
  return start;
}

export function pairwiseSpawnMatch(all: Operation[]): void {
  const used = new Set<Operation>();
  for (const s of all) if (s.kind === 'subagent' && s.toolCallId) for (const o of all) if (o.kind === 'tool' && o.toolCallId === s.toolCallId) used.add(o);
  for (const s of all) {
    if (s.kind !== 'subagent' || s.toolCallId) continue;
    const start = firstStart(s, all);
    let best: Operation | undefined;
    let bestNamed = false;
    for (const t of all) {
      if (t.kind !== 'tool' || used.has(t) || !SPAWN_TOOLS.has(t.toolName)) continue;
      if (s.sessionId ? t.sessionId !== s.sessionId : t.traceId !== s.traceId) continue;
      if (s.parentAgentId && t.agentId && t.agentId !== s.parentAgentId) continue;
      if (startedAfter(t.startTimeUnixNano, start)) continue;
      const named = !!s.agentName && t.toolArguments.includes(JSON.stringify(s.agentName));
      if (!best || (named && !bestNamed) || (named === bestNamed && cmpNanos(t.startTimeUnixNano, best.startTimeUnixNano) > 0)) {
        best = t;
        bestNamed = named;
      }
    }
    if (best) {
      used.add(best);
      s.toolCallId = best.toolCallId;
      s.toolName = best.toolName;
      if (!s.parentSpanId) s.parentSpanId = best.spanId;
    }
  }
}

const SHORT_FINAL_ANSWER = 24;

/** The loss the old scan found: the operation it is on, and whether it was a redo or a short answer. */
export function pairwiseFirstLoss(run: AgentRun): { op: Operation; redo: boolean } | null {
  for (const c of run.ops) {
    if (!isCompaction(c)) continue;
    const before = run.ops.filter((o) => !isCompaction(o) && compareNanos(o.startTimeUnixNano, c.startTimeUnixNano) < 0);
    const end = compareNanos(c.endTimeUnixNano, c.startTimeUnixNano) > 0 ? c.endTimeUnixNano : c.startTimeUnixNano;
    const after = run.ops.filter((o) => !isCompaction(o) && compareNanos(o.startTimeUnixNano, end) >= 0);
    const earlier = new Set(toolCalls(before).map((t) => t.fingerprint));
    if (earlier.size === 0) continue;
    const later = toolCalls(after);
    const redo = later.find((t) => earlier.has(t.fingerprint));
    if (redo) return { op: redo.op, redo: true };
    if (later.length > 0 || after.some((o) => o.kind === 'tool')) continue;
    const final = lastToEnd(answerCalls(after));
    if (!final || hasError(final)) continue;
    const answer = assistantText(final.outputMessages).trim();
    if (answer !== '' && answer.length <= SHORT_FINAL_ANSWER) return { op: final, redo: false };
  }
  return null;
}
