// Google ADK, tracer scope `gcp.vertex.agent`: invocation > invoke_agent <name> (older
// `agent_run [name]`) > call_llm | execute_tool <tool>. gen_ai.system is the framework (`gcp.vertex.agent`),
// content lives in gcp.vertex.agent.llm_request / llm_response (Gemini JSON) and tool_call_args /
// tool_response; AgentTool wraps a child invoke_agent (a subagent), transfer_to_agent is a handoff. A tool
// that threw is a bare `execute_tool <tool>` span; parallel calls get an extra `execute_tool (merged)` span.
import type { Attributes } from '../../model/otlp.js';
import { spanOp } from '../base.js';
import { fillGenAi, firstFinishReason, genAiKind } from '../genai.js';
import { systemMessages, toChatMessages, toToolDefinitions } from '../messages.js';
import type { Operation, OperationKind } from '../../model/operation.js';
import { has, isObj, str, structured, toNumber, toText } from '../values.js';
import type { SpanDialect } from './types.js';

export const NAME = 'google-adk';
const SCOPE = 'gcp.vertex.agent';
const P = 'gcp.vertex.agent.';
const MERGED = '(merged tools)';

/**
 * The tool an ADK tool span names (`execute_tool <tool>`). Only ADK's own spans are read this way: other
 * emitters name the span after a wrapper (OpenLLMetry names a LangChain tool span
 * `execute_tool DynamicStructuredTool`). `execute_tool (merged)` names no tool.
 */
function toolOfSpanName(name: string): string {
  const m = /^execute_tool (\S.*)$/.exec(name);
  return m && !m[1].startsWith('(') ? m[1].trim() : '';
}

function kindOf(span: { name: string }, a: Attributes): OperationKind {
  if (span.name === 'call_llm') return 'llm';
  if (span.name.startsWith('agent_run')) return 'agent';
  if (span.name === 'invocation' || span.name === 'send_data') return 'other';
  // The span over parallel calls, each of which has its own execute_tool span: not a call itself.
  if (str(a, 'gen_ai.tool.name') === MERGED) return 'other';
  const k = genAiKind(a);
  // A tool that threw: ADK ends its span without any attribute (its error is only in the next model request,
  // see normalize/tool-outcome-from-request.ts); the span name still names the tool.
  if (k === 'other' && toolOfSpanName(span.name)) return 'tool';
  return k;
}

function llmContent(op: Operation, a: Attributes): void {
  const req = structured(a, P + 'llm_request');
  if (isObj(req)) {
    const config = isObj(req.config) ? req.config : {};
    const sys = config.system_instruction ?? config.systemInstruction;
    const msgs = [...(sys ? systemMessages(sys) : []), ...toChatMessages(req.contents ?? [])];
    if (msgs.length) op.inputMessages = msgs;
    if (Array.isArray(config.tools)) op.tools = toToolDefinitions(config.tools);
    if (!op.requestModel && typeof req.model === 'string') op.requestModel = req.model;
  }
  const res = structured(a, P + 'llm_response');
  if (isObj(res)) {
    if (res.content !== undefined) op.outputMessages = toChatMessages([res.content], { defaultRole: 'assistant' });
    if (!op.finishReason && res.finish_reason !== undefined) op.finishReason = firstFinishReason(toText(res.finish_reason));
    const u = isObj(res.usage_metadata) ? res.usage_metadata : undefined;
    if (u) {
      op.inputTokens ??= toNumber(u.prompt_token_count);
      op.outputTokens ??= toNumber(u.candidates_token_count);
      op.cacheReadTokens ??= toNumber(u.cached_content_token_count);
      op.reasoningTokens ??= toNumber(u.thoughts_token_count);
    }
  }
}

export const googleAdkSpans: SpanDialect = {
  name: NAME,
  matches(span) {
    const v = span.attributes.values;
    return (
      span.scope.name === SCOPE ||
      v[P + 'invocation_id'] !== undefined ||
      v[P + 'session_id'] !== undefined ||
      v[P + 'llm_request'] !== undefined ||
      v[P + 'tool_call_args'] !== undefined ||
      v['gen_ai.system'] === SCOPE
    );
  },
  normalize(span) {
    const a = span.attributes;
    const op = spanOp(span, kindOf(span, a), NAME);
    op.sessionId = str(a, 'gen_ai.conversation.id') || str(a, P + 'session_id');
    if (op.kind === 'agent' && !has(a, 'gen_ai.agent.name')) {
      const m = /^agent_run \[(.+)\]$/.exec(span.name);
      if (m) op.agentName = m[1];
    }
    if (op.kind === 'tool') {
      op.toolName = str(a, 'gen_ai.tool.name') || toolOfSpanName(span.name);
      op.toolArguments = str(a, P + 'tool_call_args');
      op.toolResult = str(a, P + 'tool_response');
      if (str(a, 'gen_ai.tool.name') === 'transfer_to_agent') {
        op.kind = 'handoff';
        const args = structured(a, P + 'tool_call_args');
        if (isObj(args) && typeof args.agent_name === 'string') op.toolResult = op.toolResult || args.agent_name;
      }
    }
    fillGenAi(op, a, span);
    // After the gen_ai.* pass so the usage attributes win over usage_metadata inside the response JSON.
    if (op.kind === 'llm') llmContent(op, a);
    return [op];
  },
};
