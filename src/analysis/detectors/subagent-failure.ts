import type { RunDetector } from './types.js';
import { makeFailure } from './failure.js';
import { maxTurnsHit, unanswered } from './outcome.js';

export const subagentFailure: RunDetector = {
  id: 'subagent-failure',
  mode: 'subagent_failure',
  scope: 'run',
  severity: 'high',
  description: 'A subagent failed (error, turn cap, or no answer), so the agent that spawned it worked on without a valid result.',
  signal:
    'Per subagent run (a subagent operation spans it, or its calls carry a parent agent id or depth > 0): the subagent operation ended with an error, a turn cap was hit inside it, or its last model call was refused, failed, asked for tools nobody answered, was cut off, or returned no text. One instance per subagent run, on the subagent operation when there is one.',
  detect(view, out) {
    for (const run of view.runs) {
      if (!run.subagent) continue;
      const cap = maxTurnsHit(run.ops);
      const u = cap ? { op: cap.op, reason: `turn cap: ${cap.signal}` } : unanswered(run.ops, run.agentOp ? [run.agentOp] : []);
      if (!u) continue;
      const at = run.agentOp ?? u.op;
      const who = at.agentName || at.agentId;
      out.push(makeFailure(at, 'subagent_failure', 'high', (who ? `subagent ${who}: ` : '') + u.reason, 'run'));
    }
  },
};
