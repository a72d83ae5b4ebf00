// The OTel GenAI semantic-convention reader. The otel-genai dialect is built on it, and every other dialect
// runs it last to fill what it left empty (many dialects emit some gen_ai.* attributes beside their own).
// It only fills empty fields, so a dialect's own reading always wins.
import type { Attributes, Span, SpanEvent } from '../model/otlp.js';
import { systemMessages, toChatMessages, toToolDefinitions } from './messages.js';
import type { ChatMessage, Operation, OperationKind } from '../model/operation.js';
import { firstNum, firstStr, has, isObj, parseJsonLoose, plain, str, stringList, structured, toText } from './values.js';

/** gen_ai.operation.name (standard and the non-standard values real emitters use) -> kind. */
const OP_KINDS: Record<string, OperationKind> = {
  chat: 'llm',
  generate_content: 'llm',
  text_completion: 'llm',
  completion: 'llm',
  embeddings: 'llm',
  embedding: 'llm',
  llm_request: 'llm',
  llm_call: 'llm',
  tool_selection: 'llm',
  responses: 'llm',
  execute_tool: 'tool',
  tool_call: 'tool',
  'tool.execute': 'tool',
  invoke_agent: 'agent',
  'agent.run': 'agent',
  agent_call: 'agent',
  agent: 'agent',
  handoff: 'handoff',
  retrieval: 'retrieval',
  search_memory: 'retrieval',
  vector_db_retrieve: 'retrieval',
  rerank: 'retrieval',
  compact: 'compaction',
  apply_guardrail: 'guardrail',
  guardrail: 'guardrail',
};

export function kindOfOperationName(name: string): OperationKind | undefined {
  return OP_KINDS[name];
}

/** Kind of a span from gen_ai.* alone: operation name first, then what the attributes look like. */
export function genAiKind(a: Attributes): OperationKind {
  const k = OP_KINDS[a.values['gen_ai.operation.name'] ?? ''];
  if (k) return k;
  if (has(a, 'gen_ai.tool.name') || has(a, 'gen_ai.tool.call.id')) return 'tool';
  if (has(a, 'gen_ai.request.model') || has(a, 'gen_ai.usage.input_tokens') || has(a, 'gen_ai.response.model')) return 'llm';
  if (has(a, 'gen_ai.agent.name')) return 'agent';
  return 'other';
}

const FINISH_MAP: Record<string, string> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  complete: 'stop',
  completed: 'stop',
  length: 'length',
  max_tokens: 'length',
  max_output_tokens: 'length',
  model_length: 'length',
  content_filter: 'content_filter',
  'content-filter': 'content_filter',
  content_filtered: 'content_filter',
  safety: 'content_filter',
  recitation: 'content_filter',
  blocklist: 'content_filter',
  prohibited_content: 'content_filter',
  spii: 'content_filter',
  guardrail_intervened: 'content_filter',
  refusal: 'refusal',
  tool_call: 'tool_call',
  tool_calls: 'tool_call',
  'tool-calls': 'tool_call',
  tool_use: 'tool_call',
  function_call: 'tool_call',
  malformed_function_call: 'error',
  error: 'error',
};

/** Finish reasons in the semconv vocabulary (stop, length, content_filter, tool_call, error); others lowercased. */
export function normalizeFinishReason(s: string): string {
  if (!s) return '';
  const l = s.trim().toLowerCase();
  return FINISH_MAP[l] ?? l;
}

/** First finish reason of a list given as array, JSON text or single string. */
export function firstFinishReason(v: unknown): string {
  const list = stringList(v);
  return list.length ? normalizeFinishReason(list[0]) : '';
}

const INPUT_TOKENS = ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'];
const OUTPUT_TOKENS = ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'];
const CACHE_READ = [
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'gen_ai.usage.cached_input_tokens',
  'gen_ai.usage.details.cache_read_tokens',
];
// Cache-write was renamed in flight (cache_creation -> cache_write); both spellings and the flat variants.
const CACHE_WRITE = [
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_write.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'gen_ai.usage.cache_write_input_tokens',
  'gen_ai.usage.cache_write_tokens',
  'gen_ai.usage.details.cache_write_tokens',
];
const REASONING = ['gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens', 'gen_ai.usage.details.reasoning_tokens'];
// No cost attribute exists in semconv; these are what emitters use.
const COST = ['gen_ai.usage.cost', 'gen_ai.cost.usd', 'gen_ai.usage.cost_usd', 'operation.cost', 'opencode.llm.cost.total', 'llm.cost.total'];
const SESSION = ['gen_ai.conversation.id', 'session.id'];
const USER = ['user.id', 'enduser.id', 'enduser.pseudo.id', 'gen_ai.user'];
const FINISH = ['gen_ai.response.finish_reasons', 'gen_ai.response.finish_reason', 'gen_ai.response.stop_reason'];

// Values frameworks put in gen_ai.system / provider.name that name themselves, not the model vendor.
const FRAMEWORK_SYSTEMS = new Set(['strands-agents', 'gcp.vertex.agent', 'langchain']);

const MESSAGE_KINDS = new Set<OperationKind>(['llm', 'agent', 'subagent', 'compaction']);

/** Fills the empty fields of `op` from gen_ai.* attributes (and, for spans, the gen_ai.* span events). */
export function fillGenAi(op: Operation, a: Attributes, span?: Span): void {
  if (!op.requestModel) op.requestModel = str(a, 'gen_ai.request.model');
  if (!op.responseModel) op.responseModel = str(a, 'gen_ai.response.model');
  if (!op.provider) {
    const p = firstStr(a, ['gen_ai.provider.name', 'gen_ai.system']);
    if (!FRAMEWORK_SYSTEMS.has(p)) op.provider = p;
  }
  if (op.kind !== 'tool') {
    if (op.inputTokens === null) op.inputTokens = firstNum(a, INPUT_TOKENS);
    if (op.outputTokens === null) op.outputTokens = firstNum(a, OUTPUT_TOKENS);
    if (op.cacheReadTokens === null) op.cacheReadTokens = firstNum(a, CACHE_READ);
    if (op.cacheWriteTokens === null) op.cacheWriteTokens = firstNum(a, CACHE_WRITE);
    if (op.reasoningTokens === null) op.reasoningTokens = firstNum(a, REASONING);
    if (op.costUsd === null) op.costUsd = firstNum(a, COST);
    if (!op.finishReason) {
      for (const k of FINISH) {
        if (has(a, k)) {
          op.finishReason = firstFinishReason(plain(a, k));
          break;
        }
      }
    }
    if (!op.requestId) op.requestId = str(a, 'gen_ai.response.id');
  }
  if (!op.sessionId) op.sessionId = firstStr(a, SESSION);
  if (!op.userId) op.userId = firstStr(a, USER);
  if (!op.agentName) op.agentName = str(a, 'gen_ai.agent.name');
  if (!op.agentId) op.agentId = str(a, 'gen_ai.agent.id');
  if (op.kind === 'tool' || op.kind === 'handoff') {
    if (!op.toolName) op.toolName = str(a, 'gen_ai.tool.name');
    if (!op.toolCallId) op.toolCallId = firstStr(a, ['gen_ai.tool.call.id', 'gen_ai.tool.call_id']);
    if (!op.toolArguments) op.toolArguments = str(a, 'gen_ai.tool.call.arguments');
    if (!op.toolResult) op.toolResult = str(a, 'gen_ai.tool.call.result');
  }
  if (MESSAGE_KINDS.has(op.kind)) {
    if (op.inputMessages.length === 0) op.inputMessages = genAiInput(a);
    if (op.outputMessages.length === 0 && has(a, 'gen_ai.output.messages')) {
      op.outputMessages = toChatMessages(structured(a, 'gen_ai.output.messages'), { defaultRole: 'assistant' });
      if (!op.finishReason) op.finishReason = finishFromOutput(structured(a, 'gen_ai.output.messages'));
    }
    if (op.tools.length === 0 && has(a, 'gen_ai.tool.definitions')) op.tools = toToolDefinitions(structured(a, 'gen_ai.tool.definitions'));
    if (span && span.events.length && (op.inputMessages.length === 0 || op.outputMessages.length === 0)) fillFromEvents(op, span.events);
  }
}

/** gen_ai.system_instructions (as a system message) + gen_ai.input.messages. */
export function genAiInput(a: Attributes): ChatMessage[] {
  if (!has(a, 'gen_ai.input.messages') && !has(a, 'gen_ai.system_instructions')) return [];
  const sys = has(a, 'gen_ai.system_instructions') ? systemMessages(structured(a, 'gen_ai.system_instructions')) : [];
  const msgs = has(a, 'gen_ai.input.messages') ? toChatMessages(structured(a, 'gen_ai.input.messages')) : [];
  return sys.length ? [...sys, ...msgs] : msgs;
}

function finishFromOutput(v: unknown): string {
  const list = parseJsonLoose(v);
  if (Array.isArray(list) && isObj(list[0]) && typeof list[0].finish_reason === 'string') return normalizeFinishReason(list[0].finish_reason);
  return '';
}

const EVENT_ROLES: Record<string, ChatMessage['role']> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/**
 * Deprecated (semconv <= 1.36) per-message events and the `gen_ai.client.inference.operation.details`
 * event, as span events (Strands, LangSmith, older instrumentations).
 */
function fillFromEvents(op: Operation, events: SpanEvent[]): void {
  const input: ChatMessage[] = [];
  const output: ChatMessage[] = [];
  for (const e of events) {
    const m = messageFromEvent(e.name, e.attributes);
    if (m) {
      (m.output ? output : input).push(...m.messages);
      if (m.finishReason && !op.finishReason) op.finishReason = m.finishReason;
    } else if (e.name === 'gen_ai.client.inference.operation.details') {
      if (op.inputMessages.length === 0) input.push(...genAiInput(e.attributes));
      if (op.outputMessages.length === 0 && has(e.attributes, 'gen_ai.output.messages')) {
        output.push(...toChatMessages(structured(e.attributes, 'gen_ai.output.messages'), { defaultRole: 'assistant' }));
      }
    }
  }
  if (op.inputMessages.length === 0 && input.length) op.inputMessages = input;
  if (op.outputMessages.length === 0 && output.length) op.outputMessages = output;
}

/** One message from a per-message event's fields (span event attributes or a log record's attributes + body). */
export function messageFromEvent(
  name: string,
  a: Attributes,
  body?: unknown,
): { messages: ChatMessage[]; output: boolean; finishReason: string } | null {
  const role = EVENT_ROLES[name];
  if (role) {
    const fields: Record<string, unknown> = isObj(body) ? { ...body } : {};
    for (const k of ['content', 'role', 'tool_calls', 'id']) if (has(a, k) && fields[k] === undefined) fields[k] = structured(a, k);
    if (fields.role === undefined) fields.role = role;
    if (role === 'tool' && fields.tool_call_id === undefined) fields.tool_call_id = fields.id;
    return { messages: toChatMessages([fields], { defaultRole: role }), output: false, finishReason: '' };
  }
  if (name === 'gen_ai.choice') {
    const fields: Record<string, unknown> = isObj(body) ? { ...body } : {};
    for (const k of ['message', 'finish_reason', 'index']) if (has(a, k) && fields[k] === undefined) fields[k] = structured(a, k);
    let msg = parseJsonLoose(fields.message);
    if (!isObj(msg)) msg = { role: 'assistant', content: msg };
    const mm = msg as Record<string, unknown>;
    // Strands sends the content blocks as `message` directly.
    const messages = Array.isArray(fields.message) ? toChatMessages([{ role: 'assistant', content: fields.message }]) : toChatMessages([{ role: 'assistant', ...mm }], { defaultRole: 'assistant' });
    return { messages, output: true, finishReason: normalizeFinishReason(toText(fields.finish_reason)) };
  }
  return null;
}
