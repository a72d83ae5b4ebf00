// Pydantic AI / Logfire, scope `pydantic-ai`. v>=3 uses semconv names (invoke_agent,
// chat, execute_tool); v2 used `agent run` / `running tool` with tool_arguments / tool_response. The agent
// span reports usage as gen_ai.aggregated_usage.* (a rollup of its chat spans), and cost as operation.cost.
import { spanOp } from '../base.js';
import { assistantText, toChatMessages } from '../messages.js';
import type { OperationKind } from '../../model/operation.js';
import { firstNum, firstStr, has, str, structured } from '../values.js';
import { normalizeGenAiSpan } from './otel-genai.js';
import type { SpanDialect } from './types.js';

export const NAME = 'pydantic-ai';
const SCOPE = 'pydantic-ai';

function legacyKind(name: string): OperationKind | undefined {
  if (name === 'agent run' || name.startsWith('agent run ')) return 'agent';
  if (name === 'running tool' || name.startsWith('running tool') || name === 'running output function') return 'tool';
  return undefined;
}

export const pydanticAiSpans: SpanDialect = {
  name: NAME,
  historyKeys: ['pydantic_ai.all_messages'],
  matches(span) {
    return span.scope.name === SCOPE || span.scope.name.startsWith('pydantic-ai');
  },
  normalize(span) {
    const a = span.attributes;
    const legacy = legacyKind(span.name);
    const ops = legacy ? [spanOp(span, legacy, NAME)] : normalizeGenAiSpan(span, NAME);
    const op = ops[0];
    if (op.kind === 'agent') {
      op.agentName = op.agentName || firstStr(a, ['gen_ai.agent.name', 'agent_name']);
      // The run id identifies this agent run, and is what its children's baggage carries.
      op.agentId = op.agentId || str(a, 'gen_ai.agent.call.id');
      op.requestModel = op.requestModel || str(a, 'model_name');
      op.inputTokens = firstNum(a, ['gen_ai.aggregated_usage.input_tokens']) ?? op.inputTokens;
      op.outputTokens = firstNum(a, ['gen_ai.aggregated_usage.output_tokens']) ?? op.outputTokens;
      op.cacheReadTokens = firstNum(a, ['gen_ai.aggregated_usage.details.cache_read_tokens']) ?? op.cacheReadTokens;
      op.cacheWriteTokens = firstNum(a, ['gen_ai.aggregated_usage.details.cache_write_tokens']) ?? op.cacheWriteTokens;
      if (op.inputMessages.length === 0 && has(a, 'pydantic_ai.all_messages')) op.inputMessages = toChatMessages(structured(a, 'pydantic_ai.all_messages'));
      if (op.outputMessages.length === 0) op.outputMessages = assistantText(str(a, 'final_result'));
    }
    if (op.kind === 'tool') {
      op.toolName = op.toolName || firstStr(a, ['gen_ai.tool.name', 'tool_name']);
      op.toolCallId = op.toolCallId || firstStr(a, ['gen_ai.tool.call.id', 'tool_call_id']);
      op.toolArguments = op.toolArguments || firstStr(a, ['gen_ai.tool.call.arguments', 'tool_arguments']);
      op.toolResult = op.toolResult || firstStr(a, ['gen_ai.tool.call.result', 'tool_response']);
      const stage = str(a, 'pydantic_ai.tool.failure_stage');
      if (stage && op.status !== 'error') {
        op.status = 'error';
        op.errorType = op.errorType || stage;
      }
    }
    if (op.costUsd === null) op.costUsd = firstNum(a, ['operation.cost']);
    return ops;
  },
};
