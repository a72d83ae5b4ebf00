import type { RunDetector } from './types.js';
import { makeFailure } from './failure.js';
import { maxTurnsHit, unanswered } from './outcome.js';
import { answerCalls } from './run.js';
import { hasError } from './signals.js';
import type { Operation } from '../../model/operation.js';

/**
 * A trace that is one model call that completed, with no agent record and no tool call, is a request, not
 * a run: instrumentations that trace only the client (OpenLLMetry's openai, or LangChain callbacks that lost
 * their context) put each turn of an agent loop in a trace of its own, and the turns that ask for tools are
 * not runs that stopped.
 */
function isLoneCall(ops: readonly Operation[]): boolean {
  const calls = answerCalls(ops);
  return calls.length === 1 && !hasError(calls[0]) && !ops.some((o) => o.kind === 'tool' || o.kind === 'subagent');
}

/**
 * Judged over the main agent's runs together, not run by run: with handoffs the first agent ends on
 * a handoff call and only the last one answers. Subagents that end without an answer are reported
 * as subagent_failure instead.
 */
export const unfinishedRun: RunDetector = {
  id: 'unfinished-run',
  mode: 'unfinished_run',
  scope: 'run',
  severity: 'high',
  description: 'The trace ended without a final answer from the main agent.',
  signal:
    'Over the main (non-subagent) runs of a finished trace (a trace that is one completed model call with no agent or tool operation is a request, not a run): an agent operation ended with an error; or the last model call (compaction summaries excluded) was refused, failed, asked for tools that no later call read, was cut off at the token cap, or returned no text. Not reported when max_turns_exhausted already explains it, or when an agent operation carries its own output text.',
  detect(view, out) {
    const main = view.runs.filter((r) => !r.subagent);
    if (main.length === 0) return;
    const ops = main.flatMap((r) => r.ops);
    if (maxTurnsHit(ops) !== null) return;
    const agentOps = main.map((r) => r.agentOp).filter((a) => a !== null);
    if (agentOps.length === 0 && isLoneCall(ops)) return;
    const u = unanswered(ops, agentOps);
    if (u) out.push(makeFailure(u.op, 'unfinished_run', 'high', u.reason, 'run'));
  },
};
