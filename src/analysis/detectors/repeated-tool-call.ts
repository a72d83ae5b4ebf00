import type { RunDetector } from './types.js';
import { makeFailure } from './failure.js';
import { type ToolCallRef, toolCalls } from './fingerprint.js';
import { toolFailure } from './tool-failure.js';

/**
 * The calls of one fingerprint (in time order) that repeat an earlier one. A call right after the same call
 * failed is a retry, not a repeat: the first retry of each failure is left out. A retry of a retry that failed
 * again counts (a retry that cannot help), and so does every call after one that succeeded.
 */
function repeats(calls: ToolCallRef[]): ToolCallRef[] {
  const out: ToolCallRef[] = [];
  let prevFailed = false;
  let prevRetry = false;
  for (let i = 0; i < calls.length; i++) {
    const retry: boolean = i > 0 && prevFailed && !prevRetry;
    if (i > 0 && !retry) out.push(calls[i]);
    const op = calls[i].op;
    prevFailed = op.kind === 'tool' && toolFailure(op) !== null;
    prevRetry = retry;
  }
  return out;
}

export const repeatedToolCall: RunDetector = {
  id: 'repeated-tool-call',
  mode: 'repeated_tool_call',
  scope: 'run',
  severity: 'low',
  description: 'The agent called the same tool with the same arguments again within one run: a loop, or a retry that cannot help.',
  signal:
    'Within one agent run, two or more calls with the same fingerprint (tool name + canonical JSON arguments). The first retry right after the same call failed is not a repeat. One instance per repeated fingerprint, attached to the first repeat; severity low for one repeat, medium from two. Executed tool operations are used; requested calls in LLM output only when no tool operation captured arguments.',
  detect(view, out) {
    for (const run of view.runs) {
      const groups = new Map<string, ToolCallRef[]>();
      for (const call of toolCalls(run.ops)) {
        const g = groups.get(call.fingerprint);
        if (g) g.push(call);
        else groups.set(call.fingerprint, [call]);
      }
      for (const calls of groups.values()) {
        if (calls.length < 2) continue;
        const again = repeats(calls);
        if (again.length === 0) continue;
        const repeat = again[0];
        const evidence = `${repeat.name} called ${calls.length} times with the same arguments: ${repeat.arguments}`;
        out.push(makeFailure(repeat.op, 'repeated_tool_call', again.length >= 2 ? 'medium' : 'low', evidence, 'run', repeat.name));
      }
    }
  },
};
