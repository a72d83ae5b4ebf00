import type { RunDetector } from './types.js';
import { makeFailure } from './failure.js';
import { type ToolCallRef, toolCalls } from './fingerprint.js';

export const repeatedToolCall: RunDetector = {
  id: 'repeated-tool-call',
  mode: 'repeated_tool_call',
  scope: 'run',
  severity: 'low',
  description: 'The agent called the same tool with the same arguments again within one run: a loop, or a retry that cannot help.',
  signal:
    'Within one agent run, two or more calls with the same fingerprint (tool name + canonical JSON arguments). One instance per repeated fingerprint, attached to the first repeat; severity low for 2 calls, medium from 3. Executed tool operations are used; requested calls in LLM output only when no tool operation captured arguments.',
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
        const repeat = calls[1];
        const evidence = `${repeat.name} called ${calls.length} times with the same arguments: ${repeat.arguments}`;
        out.push(makeFailure(repeat.op, 'repeated_tool_call', calls.length >= 3 ? 'medium' : 'low', evidence, 'run', repeat.name));
      }
    }
  },
};
