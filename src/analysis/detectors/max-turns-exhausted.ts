import type { RunDetector } from './types.js';
import { makeFailure } from './failure.js';
import { maxTurnsHit } from './outcome.js';

export const maxTurnsExhausted: RunDetector = {
  id: 'max-turns-exhausted',
  mode: 'max_turns_exhausted',
  scope: 'run',
  severity: 'high',
  description: 'The agent never finished on its own: the harness stopped it at its turn, step or recursion cap.',
  signal:
    'An agent, subagent, LLM or other operation whose error or finish reason names a turn cap: MaxTurnsExceeded, "max turns", GraphRecursionError / "recursion limit", max iterations (koog), max steps (smolagents), error_max_turns. One per run; when the same message propagates to enclosing agents, only the innermost run reports it.',
  detect(view, out) {
    // Innermost runs first, so an exception re-raised by each enclosing agent is reported once, where it happened.
    const hits = view.runs
      .map((run) => ({ run, hit: maxTurnsHit(run.ops) }))
      .filter((h) => h.hit !== null)
      .sort((a, b) => b.hit!.op.depth - a.hit!.op.depth || Number(b.run.subagent) - Number(a.run.subagent));
    const seen = new Set<string>();
    for (const { hit } of hits) {
      if (seen.has(hit!.signal)) continue;
      seen.add(hit!.signal);
      out.push(makeFailure(hit!.op, 'max_turns_exhausted', 'high', hit!.signal, 'run'));
    }
  },
};
