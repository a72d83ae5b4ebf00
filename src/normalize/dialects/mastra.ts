// Mastra (`@mastra/otel`): every span carries mastra.span.type (AGENT_RUN, MODEL_GENERATION,
// TOOL_CALL, MCP_TOOL_CALL, WORKFLOW_*, MODEL_STEP/CHUNK, GENERIC). The new converter writes semconv gen_ai.*
// (finish_reasons as a JSON string, non-standard cached/cache_write/reasoning token keys); the old one wrote
// gen_ai.prompt/gen_ai.completion, gen_ai.tool.input/output/success, agent.id and error=true.
import { spanOp } from '../base.js';
import { fillGenAi } from '../genai.js';
import { assistantText, toChatMessages } from '../messages.js';
import { normalizeFinishReason } from '../genai.js';
import type { Attributes } from '../../model/otlp.js';
import type { ChatPart, Operation, OperationKind } from '../../model/operation.js';
import { bool, firstStr, has, isObj, parseJsonLoose, str, structured, toNumber } from '../values.js';
import type { SpanDialect } from './types.js';

export const NAME = 'mastra';

const KINDS: Record<string, OperationKind> = {
  AGENT_RUN: 'agent',
  MODEL_GENERATION: 'llm',
  // One per request the generation made (@mastra/otel-exporter 0.3): the LLM calls. The generation that
  // holds them becomes their container (llm-wrappers.ts).
  MODEL_STEP: 'llm',
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
    if (op.kind === 'agent') {
      op.agentId = firstStr(a, ['gen_ai.agent.id', 'agent.id']);
      // Mastra's agent id is the name it was registered under (the Agent's `name` unless an id is given).
      op.agentName = str(a, 'gen_ai.agent.name') || op.agentId;
    }
    if (type === 'MODEL_STEP') modelStep(op, a);
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

/**
 * A model step carries the raw HTTP exchange, not gen_ai.* usage: the request body under `input.body`, the
 * provider's response as `body` (its usage and finish reason), the parsed output (text and toolCalls), the
 * response `id`, `modelId` and `modelMetadata.modelProvider`.
 */
function modelStep(op: Operation, a: Attributes): void {
  const meta = parseJsonLoose(str(a, 'modelMetadata'));
  op.requestModel = str(a, 'modelId') || (isObj(meta) && typeof meta.modelId === 'string' ? meta.modelId : '');
  if (isObj(meta) && typeof meta.modelProvider === 'string') op.provider = meta.modelProvider;
  op.requestId = str(a, 'id');
  const body = parseJsonLoose(str(a, 'body'));
  if (isObj(body)) {
    if (typeof body.model === 'string') op.responseModel = body.model;
    const u = isObj(body.usage) ? body.usage : {};
    op.inputTokens = toNumber(u.prompt_tokens ?? u.input_tokens);
    op.outputTokens = toNumber(u.completion_tokens ?? u.output_tokens);
    const choice = Array.isArray(body.choices) && isObj(body.choices[0]) ? body.choices[0] : undefined;
    if (choice && typeof choice.finish_reason === 'string') op.finishReason = normalizeFinishReason(choice.finish_reason);
  }
  const input = parseJsonLoose(str(a, 'input'));
  const request = isObj(input) ? parseJsonLoose(input.body) : undefined;
  if (isObj(request) && Array.isArray(request.messages)) op.inputMessages = toChatMessages(request.messages);
  const output = parseJsonLoose(str(a, 'output'));
  if (isObj(output)) {
    const parts: ChatPart[] = [];
    if (typeof output.text === 'string' && output.text) parts.push({ type: 'text', text: output.text });
    if (Array.isArray(output.toolCalls)) {
      for (const c of output.toolCalls) {
        if (isObj(c) && typeof c.toolName === 'string') parts.push({ type: 'tool_call', id: typeof c.toolCallId === 'string' ? c.toolCallId : '', name: c.toolName, arguments: JSON.stringify(c.args ?? {}) });
      }
    }
    if (parts.length) op.outputMessages = [{ role: 'assistant', parts }];
  }
}
