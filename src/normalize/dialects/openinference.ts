// OpenInference (Arize/Phoenix): `openinference.span.kind` on every span, flattened
// `llm.input_messages.N.message.*` lists, `llm.token_count.*`, `llm.cost.*`, tool spans with tool.name /
// tool.id / input.value / output.value, AGENT spans with graph.node.parent_id. It may co-exist with gen_ai.*:
// OpenInference wins for the kind, gen_ai.* fills the rest (the generic pass in index.ts).
import type { Attributes } from '../../model/otlp.js';
import { spanOp } from '../base.js';
import { normalizeFinishReason } from '../genai.js';
import { langChainToolMessage } from '../langchain.js';
import { toChatMessages, toToolDefinitions } from '../messages.js';
import type { ChatMessage, Operation, OperationKind } from '../../model/operation.js';
import { firstNum, firstStr, has, isObj, parseJsonLoose, plain, str, structured, unflatten } from '../values.js';
import type { SpanDialect } from './types.js';

export const NAME = 'openinference';

/** The OpenAI Agents SDK processor: its trace root is an AGENT span for the workflow, not for an agent. */
const OPENAI_AGENTS_SCOPE = '@arizeai/openinference-instrumentation-openai-agents';

const KINDS: Record<string, OperationKind> = {
  LLM: 'llm',
  EMBEDDING: 'llm',
  CHAIN: 'other',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  TOOL: 'tool',
  AGENT: 'agent',
  GUARDRAIL: 'guardrail',
  EVALUATOR: 'other',
  PROMPT: 'other',
};

/**
 * llm.input_messages / llm.output_messages: flattened keys (`.0.message.role`), or the unflattened list some
 * SDKs export as one structured value. Each item is `{message: {role, content, contents, tool_calls, ...}}`.
 */
function oiMessages(a: Attributes, key: string, defaultRole: ChatMessage['role']): ChatMessage[] {
  let list: unknown = has(a, key) ? structured(a, key) : unflatten(a, key);
  if (!Array.isArray(list)) return [];
  list = list.map((item) => {
    const m = isObj(item) && isObj(item.message) ? item.message : item;
    if (!isObj(m)) return m;
    const out: Record<string, unknown> = { ...m };
    // `contents` is a list of {message_content: {type, text, ...}}; tool_calls a list of {tool_call: {...}}.
    if (Array.isArray(m.contents) && m.content === undefined) out.content = m.contents;
    delete out.contents;
    return out;
  });
  return toChatMessages(list, { defaultRole });
}

export const openInferenceSpans: SpanDialect = {
  name: NAME,
  sessionKeys: ['session.id'],
  historyKeys: ['input.value', 'output.value', 'llm.prompts', 'llm.input_messages', 'llm.output_messages'],
  matches(span) {
    return span.attributes.values['openinference.span.kind'] !== undefined;
  },
  normalize(span) {
    const a = span.attributes;
    const oiKind = str(a, 'openinference.span.kind').toUpperCase();
    let kind = KINDS[oiKind] ?? 'other';
    // OpenAI Agents instrumentor: handoffs are TOOL spans named `handoff to <agent>`.
    if (kind === 'tool' && span.name.startsWith('handoff to ')) kind = 'handoff';
    // That processor opens the SDK's trace ("Agent workflow", or the run's workflowName) as an AGENT span
    // without graph.node.id; the agents themselves are the spans that name their node. Taking the workflow
    // for the agent made every real agent its subagent.
    if (kind === 'agent' && span.scope.name === OPENAI_AGENTS_SCOPE && !has(a, 'graph.node.id')) kind = 'other';
    const op = spanOp(span, kind, NAME);
    op.sessionId = str(a, 'session.id');
    op.userId = str(a, 'user.id');
    // LangChain / LangGraph put their run metadata on every span as one JSON `metadata` attribute: the
    // createAgent name (lc_agent_name) and the model vendor (ls_provider).
    const meta = has(a, 'metadata') ? parseJsonLoose(str(a, 'metadata')) : undefined;
    const lc = isObj(meta) ? meta : undefined;
    if (kind === 'llm' || kind === 'agent') {
      op.requestModel = firstStr(a, ['llm.request.model_name', 'llm.model_name']);
      op.responseModel = firstStr(a, ['llm.response.model_name', 'llm.model_name']);
      op.provider = firstStr(a, ['llm.provider', 'llm.system']);
      op.inputTokens = firstNum(a, ['llm.token_count.prompt']);
      op.outputTokens = firstNum(a, ['llm.token_count.completion']);
      op.cacheReadTokens = firstNum(a, ['llm.token_count.prompt_details.cache_read']);
      op.cacheWriteTokens = firstNum(a, ['llm.token_count.prompt_details.cache_write']);
      op.reasoningTokens = firstNum(a, ['llm.token_count.completion_details.reasoning']);
      op.costUsd = firstNum(a, ['llm.cost.total']);
      if (op.costUsd === null) {
        const p = firstNum(a, ['llm.cost.prompt']);
        const c = firstNum(a, ['llm.cost.completion']);
        if (p !== null || c !== null) op.costUsd = (p ?? 0) + (c ?? 0);
      }
      op.finishReason = normalizeFinishReason(str(a, 'llm.finish_reason'));
      if (!op.provider && typeof lc?.ls_provider === 'string') op.provider = lc.ls_provider;
    }
    if (kind === 'llm') {
      op.inputMessages = oiMessages(a, 'llm.input_messages', 'user');
      op.outputMessages = oiMessages(a, 'llm.output_messages', 'assistant');
      // Completions API: llm.prompts.N.prompt.text / llm.choices.N.completion.text.
      if (op.inputMessages.length === 0) {
        const prompts = unflatten(a, 'llm.prompts');
        if (prompts) op.inputMessages = toChatMessages(prompts.map((p) => (isObj(p) && isObj(p.prompt) ? p.prompt.text : p)));
      }
      if (op.outputMessages.length === 0) {
        const choices = unflatten(a, 'llm.choices');
        if (choices) op.outputMessages = toChatMessages(choices.map((c) => (isObj(c) && isObj(c.completion) ? c.completion.text : c)), { defaultRole: 'assistant' });
      }
      if (op.inputMessages.length === 0 && has(a, 'input.value')) op.inputMessages = toChatMessages(structured(a, 'input.value'));
      if (op.outputMessages.length === 0 && has(a, 'output.value')) op.outputMessages = toChatMessages(structured(a, 'output.value'), { defaultRole: 'assistant' });
      const tools = has(a, 'llm.tools') ? plain(a, 'llm.tools') : unflatten(a, 'llm.tools');
      if (Array.isArray(tools)) op.tools = toToolDefinitions(tools);
    } else if (kind === 'tool' || kind === 'handoff') {
      op.toolName = str(a, 'tool.name') || span.name;
      op.toolCallId = str(a, 'tool.id');
      op.toolArguments = firstStr(a, ['input.value', 'tool.parameters']);
      op.toolResult = str(a, 'output.value');
      if (kind === 'handoff') op.agentName = str(a, 'input.value');
      else toolMessage(op, a);
    } else if (kind === 'agent') {
      op.agentName = firstStr(a, ['agent.name', 'graph.node.name']) || span.name;
      op.agentId = str(a, 'graph.node.id');
      // A named parent node makes this an agent invoked by another one (OpenAI Agents handoffs).
      const parent = str(a, 'graph.node.parent_id');
      if (parent) {
        op.kind = 'subagent';
        op.parentAgentId = parent;
      }
      if (has(a, 'input.value')) op.inputMessages = toChatMessages(structured(a, 'input.value'));
      if (has(a, 'output.value')) op.outputMessages = toChatMessages(structured(a, 'output.value'), { defaultRole: 'assistant' });
    } else if (kind === 'other' && lc) {
      langGraphToolCall(op, a);
    } else if (kind === 'retrieval') {
      op.toolArguments = str(a, 'input.value');
    } else if (kind === 'guardrail') {
      op.toolName = span.name;
      op.toolResult = str(a, 'output.value');
    }
    if (!op.agentName && typeof lc?.lc_agent_name === 'string') op.agentName = lc.lc_agent_name;
    return [op];
  },
};

/** A LangChain tool's output is its serialized ToolMessage: the result is its content, and it names the call. */
function toolMessage(op: Operation, a: Attributes): void {
  const m = langChainToolMessage(str(a, 'output.value'));
  if (!m) return;
  op.toolResult = m.content;
  if (m.toolCallId && !op.toolCallId) op.toolCallId = m.toolCallId;
  if (m.error && op.status !== 'error') {
    op.status = 'error';
    op.errorMessage ||= m.content;
  }
}

/**
 * LangGraph's `tools` node runs one call per task and its span input carries that call as `lg_tool_call`
 * ({name, args, id}): the call id and the JSON arguments the model sent, which the TOOL span under it may
 * lack (a failed call has no output to name its id; single-argument tools log only the bare value).
 * Kept on this carrier operation for tool-call-parent.ts to hand down.
 */
function langGraphToolCall(op: Operation, a: Attributes): void {
  const input = parseJsonLoose(str(a, 'input.value'));
  const call = isObj(input) && isObj(input.lg_tool_call) ? input.lg_tool_call : undefined;
  if (!call || typeof call.name !== 'string') return;
  op.toolName = call.name;
  if (typeof call.id === 'string') op.toolCallId = call.id;
  if (call.args !== undefined) op.toolArguments = JSON.stringify(call.args);
}
