// Vercel AI SDK. Legacy `ai.*` spans (AI SDK 3-6, and 7's LegacyOpenTelemetry):
// ai.generateText / ai.streamText / ai.generateObject (the agent loop) > *.doGenerate / *.doStream (one
// provider call each) > ai.toolCall. v7 `@ai-sdk/otel` (tracer scope `gen_ai`): semconv invoke_agent >
// step (agent_step) > chat / execute_tool, read with the semconv reader; finish reasons come raw
// (`tool-calls`) and are normalized there.
import type { Attributes } from '../../model/otlp.js';
import { spanOp } from '../base.js';
import { normalizeFinishReason } from '../genai.js';
import { assistantText, toChatMessages, toToolDefinitions } from '../messages.js';
import type { ChatMessage, ChatPart, OperationKind } from '../../model/operation.js';
import { firstNum, firstStr, has, isObj, parseJsonLoose, str, structured, toText } from '../values.js';
import { normalizeGenAiSpan } from './otel-genai.js';
import type { SpanDialect } from './types.js';

export const NAME = 'vercel-ai';
const V7_SCOPE = 'gen_ai';

function legacyKind(operationId: string): OperationKind {
  if (operationId === 'ai.toolCall') return 'tool';
  if (/\.do(Generate|Stream|Embed)$/.test(operationId)) return 'llm';
  if (/^ai\.(generateText|streamText|generateObject|streamObject)$/.test(operationId)) return 'agent';
  return 'other';
}

/** ai.model.provider is `<provider>.<api>` (`openai.chat`, `anthropic.messages`). */
function providerOf(p: string): string {
  const i = p.indexOf('.');
  return i > 0 ? p.slice(0, i) : p;
}

function responseMessages(a: Attributes): ChatMessage[] {
  const parts: ChatPart[] = [];
  const reasoning = str(a, 'ai.response.reasoning');
  if (reasoning) parts.push({ type: 'reasoning', text: reasoning });
  const text = firstStr(a, ['ai.response.text', 'ai.response.object']);
  if (text) parts.push({ type: 'text', text });
  const calls = parseJsonLoose(str(a, 'ai.response.toolCalls'));
  if (Array.isArray(calls)) {
    for (const c of calls) {
      if (!isObj(c)) continue;
      parts.push({ type: 'tool_call', id: toText(c.toolCallId), name: toText(c.toolName), arguments: toText(c.input ?? c.args ?? '') });
    }
  }
  return parts.length ? [{ role: 'assistant', parts }] : [];
}

/**
 * AI SDK 5+ prompt messages say a tool threw with the result's output type (`{type: 'error-text' | 'error-json',
 * value}`), not with an isError flag: mark those tool_result parts as errors.
 */
function markFailedToolResults(raw: unknown, messages: ChatMessage[]): void {
  if (!Array.isArray(raw)) return;
  const failed = new Set<string>();
  for (const m of raw) {
    if (!isObj(m) || !Array.isArray(m.content)) continue;
    for (const p of m.content) {
      if (isObj(p) && p.type === 'tool-result' && isObj(p.output) && (p.output.type === 'error-text' || p.output.type === 'error-json')) failed.add(toText(p.toolCallId));
    }
  }
  if (failed.size === 0) return;
  for (const m of messages) for (const p of m.parts) if (p.type === 'tool_result' && failed.has(p.id)) p.isError = true;
}

/** Anthropic cache-write tokens only appear in providerMetadata on older versions. */
function cacheWriteFromMetadata(a: Attributes): number | null {
  const md = structured(a, 'ai.response.providerMetadata');
  if (!isObj(md) || !isObj(md.anthropic)) return null;
  const n = md.anthropic.cacheCreationInputTokens;
  return typeof n === 'number' ? n : null;
}

export const vercelAiSpans: SpanDialect = {
  name: NAME,
  sessionKeys: ['ai.telemetry.metadata.sessionId'],
  historyKeys: ['ai.prompt', 'ai.prompt.messages', 'ai.prompt.tools'],
  matches(span) {
    return span.attributes.values['ai.operationId'] !== undefined || (span.scope.name === V7_SCOPE && span.attributes.values['gen_ai.operation.name'] !== undefined);
  },
  normalize(span) {
    const a = span.attributes;
    const operationId = str(a, 'ai.operationId');
    if (!operationId) {
      const ops = normalizeGenAiSpan(span, NAME);
      // v7: the loop step is structure, not an operation of its own.
      if (str(a, 'gen_ai.operation.name') === 'agent_step') ops[0].kind = 'other';
      return ops;
    }
    const op = spanOp(span, legacyKind(operationId), NAME);
    op.agentName = str(a, 'ai.telemetry.functionId');
    op.sessionId = firstStr(a, ['ai.telemetry.metadata.sessionId', 'ai.telemetry.metadata.session_id', 'ai.telemetry.metadata.conversationId']);
    op.userId = firstStr(a, ['ai.telemetry.metadata.userId', 'ai.telemetry.metadata.user_id']);
    if (op.kind === 'tool') {
      op.toolName = str(a, 'ai.toolCall.name');
      op.toolCallId = str(a, 'ai.toolCall.id');
      op.toolArguments = firstStr(a, ['ai.toolCall.args', 'ai.toolCall.input']);
      op.toolResult = firstStr(a, ['ai.toolCall.result', 'ai.toolCall.output']);
      return [op];
    }
    if (op.kind === 'other') return [op];
    op.requestModel = firstStr(a, ['ai.model.id', 'gen_ai.request.model']);
    op.responseModel = firstStr(a, ['ai.response.model', 'gen_ai.response.model']);
    op.provider = providerOf(str(a, 'ai.model.provider'));
    op.inputTokens = firstNum(a, ['ai.usage.inputTokens', 'ai.usage.promptTokens', 'gen_ai.usage.input_tokens', 'ai.usage.tokens']);
    op.outputTokens = firstNum(a, ['ai.usage.outputTokens', 'ai.usage.completionTokens', 'gen_ai.usage.output_tokens']);
    op.cacheReadTokens = firstNum(a, ['ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.cachedInputTokens']);
    op.cacheWriteTokens = firstNum(a, ['ai.usage.inputTokenDetails.cacheWriteTokens']) ?? (op.kind === 'llm' ? cacheWriteFromMetadata(a) : null);
    op.reasoningTokens = firstNum(a, ['ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens']);
    op.finishReason = normalizeFinishReason(str(a, 'ai.response.finishReason'));
    op.requestId = firstStr(a, ['ai.response.id', 'gen_ai.response.id']);
    // do* spans carry the provider-format prompt; the root carries {system, prompt, messages}.
    const prompt = has(a, 'ai.prompt.messages') ? structured(a, 'ai.prompt.messages') : has(a, 'ai.prompt') ? structured(a, 'ai.prompt') : undefined;
    if (prompt !== undefined) {
      op.inputMessages = toChatMessages(prompt);
      markFailedToolResults(isObj(prompt) ? prompt.messages : prompt, op.inputMessages);
    }
    op.outputMessages = responseMessages(a);
    if (op.outputMessages.length === 0) op.outputMessages = assistantText(str(a, 'ai.response.text'));
    if (has(a, 'ai.prompt.tools')) op.tools = toToolDefinitions(structured(a, 'ai.prompt.tools'));
    return [op];
  },
};
