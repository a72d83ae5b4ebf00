// LangSmith OTel: `langsmith.span.kind` = run_type (llm|chain|tool|retriever|embedding|
// prompt|parser), `langsmith.metadata.*` (ls_provider, ls_model_name, ls_agent_type root|subagent|middleware|
// compaction, thread/session ids), gen_ai.prompt / gen_ai.completion holding JSON of the run's inputs/outputs,
// token details as JSON. Compaction runs (coding-agent-v1) are chains named `Context Compaction (<trigger>)`.
import type { Attributes } from '../../model/otlp.js';
import { spanOp } from '../base.js';
import { toChatMessages } from '../messages.js';
import type { OperationKind } from '../../model/operation.js';
import { firstNum, firstStr, isObj, str, structured, toNumber } from '../values.js';
import type { SpanDialect } from './types.js';

export const NAME = 'langsmith';
const MD = 'langsmith.metadata.';

const KINDS: Record<string, OperationKind> = {
  llm: 'llm',
  embedding: 'llm',
  tool: 'tool',
  retriever: 'retrieval',
  chain: 'other',
  prompt: 'other',
  parser: 'other',
};

function details(a: Attributes, key: string, field: string): number | null {
  const d = structured(a, key);
  return isObj(d) ? toNumber(d[field]) : null;
}

export const langsmithSpans: SpanDialect = {
  name: NAME,
  sessionKeys: ['langsmith.trace.session_id'],
  historyKeys: ['gen_ai.prompt', 'gen_ai.completion'],
  matches(span) {
    return span.attributes.values['langsmith.span.kind'] !== undefined;
  },
  normalize(span) {
    const a = span.attributes;
    const runType = str(a, 'langsmith.span.kind').toLowerCase();
    const agentType = str(a, MD + 'ls_agent_type');
    let kind = KINDS[runType] ?? 'other';
    if (agentType === 'root') kind = 'agent';
    else if (agentType === 'subagent') kind = 'subagent';
    else if (agentType === 'compaction' || /^Context Compaction\b/.test(span.name)) kind = 'compaction';
    const op = spanOp(span, kind, NAME);
    op.sessionId = firstStr(a, [MD + 'thread_id', MD + 'session_id', MD + 'conversation_id']);
    op.userId = firstStr(a, [MD + 'user_id', 'user.id']);
    op.requestModel = firstStr(a, ['gen_ai.request.model', MD + 'ls_model_name']);
    // gen_ai.system is guessed from the model name and defaults to `langchain` (not a vendor).
    const system = str(a, 'gen_ai.system');
    op.provider = str(a, MD + 'ls_provider') || (system === 'langchain' ? '' : system);
    const name = firstStr(a, ['langsmith.trace.name']) || span.name;
    if (kind === 'subagent') {
      op.agentId = firstStr(a, [MD + 'ls_subagent_id', MD + 'agent_id']);
      op.agentName = firstStr(a, [MD + 'ls_subagent_type', MD + 'agent_type']) || name;
    } else if (kind === 'agent') {
      op.agentName = firstStr(a, [MD + 'ls_agent_runtime']) || name;
    }
    if (kind === 'llm') {
      op.cacheReadTokens = details(a, 'gen_ai.usage.input_token_details', 'cache_read');
      op.cacheWriteTokens = details(a, 'gen_ai.usage.input_token_details', 'cache_creation');
      op.reasoningTokens = details(a, 'gen_ai.usage.output_token_details', 'reasoning');
    }
    const inputs = structured(a, 'gen_ai.prompt');
    const outputs = structured(a, 'gen_ai.completion');
    if (kind === 'tool') {
      op.toolName = firstStr(a, [MD + 'ls_tool_name', 'gen_ai.tool.name']) || name;
      op.toolArguments = str(a, 'gen_ai.prompt');
      op.toolResult = str(a, 'gen_ai.completion');
    } else if (kind === 'compaction') {
      const m = /\((\w+)\)/.exec(span.name);
      op.compaction = {
        trigger: firstStr(a, [MD + 'trigger']) || m?.[1] || 'unknown',
        tokensBefore: firstNum(a, [MD + 'pre_tokens']),
        tokensAfter: firstNum(a, [MD + 'post_tokens']),
        estimated: false,
      };
      if (isObj(outputs) && typeof outputs.compact_summary === 'string') op.outputMessages = toChatMessages(outputs.compact_summary, { defaultRole: 'assistant' });
    } else if (inputs !== undefined || outputs !== undefined) {
      // LLM runs: {messages: [[...]]} (LangChain) or provider payloads; chat outputs: {generations: [[{message}]]}.
      if (inputs !== undefined) op.inputMessages = toChatMessages(inputs);
      if (outputs !== undefined) op.outputMessages = toChatMessages(generationsOf(outputs), { defaultRole: 'assistant' });
    }
    return [op];
  },
};

function generationsOf(v: unknown): unknown {
  if (!isObj(v) || !Array.isArray(v.generations)) return v;
  const flat = (v.generations as unknown[]).flat();
  return flat.map((g) => (isObj(g) && g.message !== undefined ? g.message : isObj(g) && typeof g.text === 'string' ? g.text : g));
}
