import type { RunDetector } from './types.js';
import { makeFailure } from './failure.js';
import { SHORT_FINAL_ANSWER, firstLoss } from './compaction-scan.js';

// The scan itself (n log n over a run, however often it compacts) is in compaction-scan.ts.

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
