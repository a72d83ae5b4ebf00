// Mastra (`@mastra/otel`, dialects.md §6.6): every span carries mastra.span.type (AGENT_RUN, MODEL_GENERATION,
// TOOL_CALL, MCP_TOOL_CALL, WORKFLOW_*, MODEL_STEP/CHUNK, GENERIC). The new converter writes semconv gen_ai.*
// (finish_reasons as a JSON string, non-standard cached/cache_write/reasoning token keys); the old one wrote
// gen_ai.prompt/gen_ai.completion, gen_ai.tool.input/output/success, agent.id and error=true.
import { spanOp } from '../base.js';
import { fillGenAi } from '../genai.js';
import { assistantText, toChatMessages } from '../messages.js';
import type { OperationKind } from '../../model/operation.js';
import { bool, firstStr, has, str, structured } from '../values.js';
import type { SpanDialect } from './types.js';

export const NAME = 'mastra';

const KINDS: Record<string, OperationKind> = {
  AGENT_RUN: 'agent',
  MODEL_GENERATION: 'llm',
  TOOL_CALL: 'tool',
  MCP_TOOL_CALL: 'tool',
};

export const mastraSpans: SpanDialect = {
  name: NAME,
  historyKeys: ['gen_ai.prompt', 'gen_ai.completion', 'gen_ai.input.messages', 'gen_ai.output.messages'],
  matches(span) {
    return span.attributes.values['mastra.span.type'] !== undefined;
  },
  normalize(span) {
    const a = span.attributes;
    const type = str(a, 'mastra.span.type').toUpperCase();
    const op = spanOp(span, KINDS[type] ?? 'other', NAME);
    if (bool(a, 'error') === true && op.status !== 'error') {
      op.status = 'error';
      op.errorMessage = op.errorMessage || str(a, 'error.message');
    }
    if (!op.errorMessage && op.status === 'error') op.errorMessage = str(a, 'error.message');
    if (op.kind === 'agent') op.agentId = firstStr(a, ['gen_ai.agent.id', 'agent.id']);
    if (op.kind === 'tool') {
      op.toolArguments = firstStr(a, ['gen_ai.tool.call.arguments', 'gen_ai.tool.input']);
      op.toolResult = firstStr(a, ['gen_ai.tool.call.result', 'gen_ai.tool.output']);
      if (bool(a, 'gen_ai.tool.success') === false && op.status !== 'error') op.status = 'error';
      // Old exporter names tools `tool.execute <toolId>`.
      if (!has(a, 'gen_ai.tool.name') && span.name.startsWith('tool.execute ')) op.toolName = span.name.slice(13);
    }
    if (op.kind === 'llm' || op.kind === 'agent') {
      if (!has(a, 'gen_ai.input.messages') && has(a, 'gen_ai.prompt')) op.inputMessages = toChatMessages(structured(a, 'gen_ai.prompt'));
      if (!has(a, 'gen_ai.output.messages') && has(a, 'gen_ai.completion')) {
        const c = structured(a, 'gen_ai.completion');
        op.outputMessages = typeof c === 'string' ? assistantText(c) : toChatMessages(c, { defaultRole: 'assistant' });
      }
    }
    fillGenAi(op, a, span);
    return [op];
  },
};
