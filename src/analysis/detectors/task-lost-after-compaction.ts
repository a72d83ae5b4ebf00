import type { Operation } from '../../model/operation.js';
import type { RunDetector } from './types.js';
import { makeFailure } from './failure.js';
import { toolCalls } from './fingerprint.js';
import { type AgentRun, answerCalls, compareNanos, isCompaction, lastToEnd } from './run.js';
import { hasError } from './signals.js';
import { assistantText, excerpt } from './text.js';

/** A final answer this short, with no tool call since the compaction, reads as "forgot the task". */
export const SHORT_FINAL_ANSWER = 24;

export const taskLostAfterCompaction: RunDetector = {
  id: 'task-lost-after-compaction',
  mode: 'task_lost_after_compaction',
  scope: 'run',
  severity: 'medium',
  description: 'After the history was compacted the agent lost track of its task: it redid work it had already done, or stopped working and gave a throwaway answer.',
  signal: `In a run that had called tools before a compaction: after it, (a) a tool call repeats one made before it (same fingerprint), or (b) no tool call at all, and the final answer is captured and at most ${SHORT_FINAL_ANSWER} characters. One instance per run, on the repeated call or the final answer.`,
  detect(view, out) {
    for (const run of view.runs) {
      const found = firstLoss(run);
      if (found) out.push(makeFailure(found.op, 'task_lost_after_compaction', 'medium', found.evidence, 'run'));
    }
  },
};

function firstLoss(run: AgentRun): { op: Operation; evidence: string } | null {
  for (const c of run.ops) {
    if (!isCompaction(c)) continue;
    const before = run.ops.filter((o) => !isCompaction(o) && compareNanos(o.startTimeUnixNano, c.startTimeUnixNano) < 0);
    // Log-derived operations may carry no end time; the compaction is then over when it starts.
    const end = compareNanos(c.endTimeUnixNano, c.startTimeUnixNano) > 0 ? c.endTimeUnixNano : c.startTimeUnixNano;
    const after = run.ops.filter((o) => !isCompaction(o) && compareNanos(o.startTimeUnixNano, end) >= 0);
    const earlier = new Set(toolCalls(before).map((t) => t.fingerprint));
    if (earlier.size === 0) continue; // no work done yet: nothing to lose
    const what = describe(c);

    const later = toolCalls(after);
    const redo = later.find((t) => earlier.has(t.fingerprint));
    if (redo) return { op: redo.op, evidence: `after ${what}, ${redo.name} was called again with the same arguments: ${redo.arguments}` };
    if (later.length > 0 || after.some((o) => o.kind === 'tool')) continue;

    const final = lastToEnd(answerCalls(after));
    if (!final || hasError(final)) continue;
    const answer = assistantText(final.outputMessages).trim();
    if (answer !== '' && answer.length <= SHORT_FINAL_ANSWER) {
      return { op: final, evidence: `after ${what}, no further tool call; final answer: "${excerpt(answer, 60)}"` };
    }
  }
  return null;
}

function describe(c: Operation): string {
  const d = c.compaction;
  if (!d) return 'compaction';
  const tokens = d.tokensBefore !== null && d.tokensAfter !== null ? ` (${d.tokensBefore} -> ${d.tokensAfter} tokens)` : '';
  return `${d.trigger ? d.trigger + ' ' : ''}compaction${tokens}`;
}
