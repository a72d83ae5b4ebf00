// OpenLLMetry / Traceloop. Legacy (<= v0.4x): indexed `gen_ai.prompt.N.*` /
// `gen_ai.completion.N.*`, `llm.request.type`, `gen_ai.usage.prompt_tokens`, capitalized gen_ai.system and raw
// provider token counts (Anthropic input excludes cache). Current (v0.5+): semconv gen_ai.* plus project
// extras. Decorator spans `<name>.<kind>` carry traceloop.span.kind (workflow|task|agent|tool|handoff) and
// traceloop.entity.input/output; session and user travel as traceloop.association.properties.*.
import type { Attributes } from '../../model/otlp.js';
import { spanOp } from '../base.js';
import { normalizeFinishReason } from '../genai.js';
import { LANGCHAIN_TOOL_CLASSES, langChainToolMessage } from '../langchain.js';
import { toChatMessages, toToolDefinitions } from '../messages.js';
import type { Operation, OperationKind } from '../../model/operation.js';
import { firstNum, firstStr, has, isObj, parseJsonLoose, str, sumOrNull, toText, unflatten } from '../values.js';
import { kindOfOperationName } from '../genai.js';
import type { SpanDialect } from './types.js';

export const NAME = 'openllmetry';

const SPAN_KINDS: Record<string, OperationKind> = {
  agent: 'agent',
  tool: 'tool',
  handoff: 'handoff',
  // A workflow is the app's root, not an agent: nested @agent spans must not all become subagents of it.
  workflow: 'other',
  task: 'other',
  unknown: 'other',
};

const REQUEST_KINDS: Record<string, OperationKind> = { chat: 'llm', completion: 'llm', embedding: 'llm', rerank: 'retrieval' };

const PROP = 'traceloop.association.properties.';

/** traceloop.entity.input is `{"args": [...], "kwargs": {...}}`; the kwargs (or the lone arg) are the arguments. */
function entityArguments(a: Attributes): string {
  const raw = str(a, 'traceloop.entity.input');
  const v = parseJsonLoose(raw);
  if (isObj(v) && ('args' in v || 'kwargs' in v)) {
    const args = Array.isArray(v.args) ? v.args : [];
    const kwargs = isObj(v.kwargs) ? v.kwargs : {};
    if (args.length === 0) return JSON.stringify(kwargs);
    if (args.length === 1 && Object.keys(kwargs).length === 0) return toText(args[0]);
  }
  return raw;
}

function legacyMessages(a: Attributes, prefix: string, role: 'user' | 'assistant'): ReturnType<typeof toChatMessages> {
  const list = unflatten(a, prefix);
  if (!list) return [];
  // LangSmith's variant nests fields under `.message.`.
  const flat = list.map((m) => (isObj(m) && isObj(m.message) ? { ...m.message, ...m } : m));
  return toChatMessages(flat, { defaultRole: role });
}

export const openLlmetrySpans: SpanDialect = {
  name: NAME,
  historyKeys: ['gen_ai.prompt', 'gen_ai.completion', 'gen_ai.tool.definitions'],
  matches(span) {
    const v = span.attributes.values;
    return (
      v['traceloop.span.kind'] !== undefined ||
      v['llm.request.type'] !== undefined ||
      v['gen_ai.prompt.0.role'] !== undefined ||
      v['gen_ai.prompt.0.content'] !== undefined ||
      v['gen_ai.completion.0.role'] !== undefined ||
      v['gen_ai.completion.0.content'] !== undefined
    );
  },
  normalize(span) {
    const a = span.attributes;
    const tlKind = str(a, 'traceloop.span.kind');
    // The LangChain instrumentation marks tool runs `gen_ai.operation.name=execute_tool` but keeps
    // `traceloop.span.kind=task` for backward compatibility: the operation name says what it is.
    const opKind = kindOfOperationName(str(a, 'gen_ai.operation.name'));
    const kind: OperationKind =
      (tlKind === 'task' && opKind === 'tool' ? opKind : undefined) ??
      SPAN_KINDS[tlKind] ??
      REQUEST_KINDS[str(a, 'llm.request.type')] ??
      opKind ??
      (tlKind ? 'other' : 'llm');
    const op = spanOp(span, kind, NAME);
    op.sessionId = firstStr(a, [PROP + 'session_id', PROP + 'chat_id', PROP + 'conversation_id', PROP + 'thread_id']);
    op.userId = firstStr(a, [PROP + 'user_id', 'llm.user', 'gen_ai.user']);
    op.agentName = str(a, 'gen_ai.agent.name');
    if (kind === 'agent') op.agentName = op.agentName || str(a, 'traceloop.entity.name');
    if (kind === 'tool') {
      op.toolName = firstStr(a, ['gen_ai.tool.name', 'traceloop.entity.name']);
      op.toolCallId = firstStr(a, ['gen_ai.tool.call.id']);
      op.toolArguments = entityArguments(a);
      op.toolResult = str(a, 'traceloop.entity.output');
      // LangChain tools: the output is the ToolMessage (the tool's own name, the call id, the content),
      // and the entity name is the wrapper's class. A call that threw has no output: its name is left
      // for tool-from-request.ts to find in the model's request.
      const m = langChainToolMessage(op.toolResult);
      if (m) {
        op.toolResult = m.content;
        op.toolName = m.name || op.toolName;
        op.toolCallId ||= m.toolCallId;
        if (m.error && op.status !== 'error') op.status = 'error';
      }
      if (LANGCHAIN_TOOL_CLASSES.has(op.toolName)) op.toolName = '';
    }
    if (kind === 'handoff') {
      op.agentName = str(a, 'gen_ai.handoff.from_agent') || op.agentName;
      op.toolName = str(a, 'gen_ai.handoff.to_agent');
    }
    if (kind === 'agent' || (kind === 'other' && tlKind)) {
      if (has(a, 'traceloop.entity.input')) op.inputMessages = toChatMessages(str(a, 'traceloop.entity.input'));
      if (has(a, 'traceloop.entity.output')) op.outputMessages = toChatMessages(str(a, 'traceloop.entity.output'), { defaultRole: 'assistant' });
    }
    if (kind === 'llm') llm(op, a);
    return [op];
  },
};

function llm(op: Operation, a: Attributes): void {
  op.provider = firstStr(a, ['gen_ai.provider.name', 'gen_ai.system']).toLowerCase();
  op.inputTokens = firstNum(a, ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens']);
  op.outputTokens = firstNum(a, ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens']);
  op.reasoningTokens = firstNum(a, ['gen_ai.usage.reasoning_tokens', 'llm.usage.reasoning_tokens']);
  op.finishReason = normalizeFinishReason(firstStr(a, ['gen_ai.completion.0.finish_reason', 'gen_ai.response.finish_reason', 'gen_ai.response.stop_reason']));
  // Legacy spans passed Anthropic's raw usage, whose input excludes the cache; the model includes it.
  const legacy = has(a, 'gen_ai.usage.prompt_tokens') && !has(a, 'gen_ai.usage.input_tokens');
  if (legacy && op.provider === 'anthropic' && op.inputTokens !== null) {
    const cr = firstNum(a, ['gen_ai.usage.cache_read_input_tokens']);
    const cw = firstNum(a, ['gen_ai.usage.cache_creation_input_tokens']);
    op.inputTokens = sumOrNull(op.inputTokens, cr, cw);
  }
  op.inputMessages = legacyMessages(a, 'gen_ai.prompt', 'user');
  op.outputMessages = legacyMessages(a, 'gen_ai.completion', 'assistant');
  const fns = unflatten(a, 'llm.request.functions') ?? unflatten(a, 'gen_ai.tool.definitions');
  if (fns) op.tools = toToolDefinitions(fns);
}
