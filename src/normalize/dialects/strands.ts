// Strands Agents: gen_ai.system / gen_ai.provider.name = `strands-agents` (the framework,
// not the model vendor), invoke_agent > execute_event_loop_cycle > chat | execute_tool, multi-agent
// invoke_swarm / invoke_graph, content as deprecated per-message span events (gen_ai.user.message,
// gen_ai.choice ...) or one gen_ai.client.inference.operation.details event, tool outcome in gen_ai.tool.status.
import { spanOp } from '../base.js';
import { fillGenAi, genAiKind } from '../genai.js';
import type { OperationKind } from '../../model/operation.js';
import { firstStr, str } from '../values.js';
import type { SpanDialect } from './types.js';

export const NAME = 'strands';
const FRAMEWORK = 'strands-agents';

function kindOf(op: string, fallback: OperationKind): OperationKind {
  // A swarm/graph orchestrates agents: treating it as an agent makes the agents under it its subagents.
  if (op === 'invoke_swarm' || op === 'invoke_graph') return 'agent';
  if (op === 'execute_event_loop_cycle') return 'other';
  return fallback;
}

export const strandsSpans: SpanDialect = {
  name: NAME,
  matches(span) {
    const v = span.attributes.values;
    return v['gen_ai.system'] === FRAMEWORK || v['gen_ai.provider.name'] === FRAMEWORK || span.scope.name === 'strands.telemetry.tracer';
  },
  normalize(span) {
    const a = span.attributes;
    const op = spanOp(span, kindOf(str(a, 'gen_ai.operation.name'), genAiKind(a)), NAME);
    if (op.kind === 'tool') {
      const status = str(a, 'gen_ai.tool.status').toLowerCase();
      if (status === 'error' && op.status !== 'error') op.status = 'error';
      else if (status === 'success' && op.status === 'unset') op.status = 'ok';
      for (const e of span.events) {
        if (e.name === 'gen_ai.tool.message' && !op.toolArguments) {
          op.toolArguments = str(e.attributes, 'content');
          op.toolCallId = op.toolCallId || str(e.attributes, 'id');
        } else if (e.name === 'gen_ai.choice' && !op.toolResult) op.toolResult = firstStr(e.attributes, ['message', 'content']);
      }
    }
    fillGenAi(op, a, span);
    return [op];
  },
};
