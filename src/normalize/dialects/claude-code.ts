// Claude Code, checked against the real 2.1.328 capture in tests/fixtures/claude-code.
// Spans (beta): claude_code.interaction (a turn) > llm_request | tool > tool.blocked_on_user | tool.execution;
// the tool span never carries the failure, its `tool.execution` child does, so that child is a partial
// operation completing its parent. Subagent work carries `agent_id` (and `parent_agent_id` when nested) and
// hangs under the Agent tool's execution span. Compaction is an llm_request with query_source(_safe)=compact
// plus, in logs, a `claude_code.compaction` event with trigger and pre/post tokens.
// Logs: body `claude_code.<event>`, attribute event.name `<event>`; correlation by session.id + request_id
// (api events) or tool_use_id (tool events). Token counts are the raw Anthropic ones (input excludes
// cache), converted here to the model's convention (input includes cache reads and writes).
import type { Attributes } from '../../model/otlp.js';
import { eventIdentity, logEventName, logOp, markPartial, spanOp } from '../base.js';
import { compactionSpanId, subagentSpanId } from '../ids.js';
import { assistantText, toChatMessages, toToolDefinitions, userText } from '../messages.js';
import type { Operation } from '../../model/operation.js';
import { bool, firstNum, firstStr, isObj, num, parseJsonLoose, str, sumOrNull, toText } from '../values.js';
import { normalizeFinishReason } from '../genai.js';
import { compactionFromCall } from './otel-genai.js';
import type { DialectKeys, LogDialect, SpanDialect } from './types.js';

export const NAME = 'claude-code';
const MAIN_AGENT_NAME = 'claude-code';
const SERVICES = new Set(['claude-code', 'claude-code-desktop']);
const KEYS: DialectKeys = { sessionKeys: ['session.id'], spawnTools: ['Agent', 'Task'] };

/**
 * Who made the call: the subagent named by agent_id, or the main agent (its id is the session id). Older
 * versions put no agent id on log events, only the subagent's name (`agent.name`, or a query_source like
 * `agent:builtin:Explore`): those calls get the id `<name>@<prompt id>`, i.e. one subagent of that type per
 * turn — an approximation: two subagents of one type in one turn share an id.
 */
function agentFields(a: Attributes): Pick<Operation, 'sessionId' | 'userId' | 'agentId' | 'parentAgentId' | 'agentName'> {
  const sessionId = firstStr(a, ['session.id', 'gen_ai.conversation.id']);
  const name = subagentName(a);
  const sub = str(a, 'agent_id') || (name ? `${name}@${str(a, 'prompt.id') || sessionId}` : '');
  return {
    sessionId,
    userId: firstStr(a, ['user.id', 'user.account_uuid', 'user.email']),
    agentId: sub || sessionId,
    parentAgentId: sub ? str(a, 'parent_agent_id') || sessionId : '',
    agentName: sub ? name : MAIN_AGENT_NAME,
  };
}

/** `agent.name`, else the subagent type in query_source (`agent:builtin:general-purpose`, `agent.builtin.X`). */
function subagentName(a: Attributes): string {
  const n = firstStr(a, ['agent.name', 'agent_type']);
  if (n) return n;
  const m = /^agent[.:](?:(?:builtin|custom|plugin|user|project)[.:])?(.+)$/.exec(firstStr(a, ['query_source', 'query_source_safe']));
  return m ? m[1] : '';
}

function tokens(op: Operation, a: Attributes): void {
  const input = num(a, 'input_tokens');
  op.cacheReadTokens = num(a, 'cache_read_tokens');
  op.cacheWriteTokens = num(a, 'cache_creation_tokens');
  op.inputTokens = input === null ? null : sumOrNull(input, op.cacheReadTokens, op.cacheWriteTokens);
  op.outputTokens = num(a, 'output_tokens');
  const micros = num(a, 'cost_usd_micros');
  op.costUsd = num(a, 'cost_usd') ?? (micros === null ? null : micros / 1e6);
}

function isCompactRequest(a: Attributes): boolean {
  return firstStr(a, ['query_source', 'query_source_safe']) === 'compact';
}

function notRedacted(s: string): string {
  return s === '<REDACTED>' ? '' : s;
}

/** Tool input from the gated detail attributes, spelled as the tool's own input keys. */
function spanToolArguments(a: Attributes): string {
  const full = str(a, 'tool_input');
  if (full) return full;
  const args: Record<string, string> = {};
  const cmd = str(a, 'full_command');
  if (cmd) args.command = cmd;
  const file = str(a, 'file_path');
  if (file) args.file_path = file;
  const skill = str(a, 'skill_name');
  if (skill) args.skill = skill;
  const sub = str(a, 'subagent_type');
  if (sub) args.subagent_type = sub;
  return Object.keys(args).length ? JSON.stringify(args) : '';
}

export const claudeCodeSpans: SpanDialect = {
  name: NAME,
  ...KEYS,
  matches(span) {
    return span.name.startsWith('claude_code.');
  },
  normalize(span) {
    const a = span.attributes;
    switch (span.name) {
      case 'claude_code.interaction': {
        const op = spanOp(span, 'agent', NAME);
        Object.assign(op, agentFields(a));
        op.inputMessages = userText(notRedacted(str(a, 'user_prompt')));
        return [op];
      }
      case 'claude_code.llm_request':
        return llmRequest(spanOp(span, 'llm', NAME), a, span.statusCode === 2);
      case 'claude_code.tool': {
        const op = spanOp(span, 'tool', NAME);
        Object.assign(op, agentFields(a));
        op.toolName = firstStr(a, ['tool_name', 'gen_ai.tool.name']);
        op.toolCallId = firstStr(a, ['tool_use_id', 'gen_ai.tool.call.id']);
        op.toolArguments = spanToolArguments(a);
        for (const e of span.events) {
          if (e.name !== 'tool.output') continue;
          op.toolResult = firstStr(e.attributes, ['output', 'tool_output', 'result', 'content']);
          if (!op.toolArguments) op.toolArguments = firstStr(e.attributes, ['input', 'tool_input']);
        }
        return [op];
      }
      case 'claude_code.tool.execution': {
        // Completes the parent claude_code.tool operation (same identity) with the outcome.
        const op = spanOp(span, 'tool', NAME);
        // Named and timed as its parent would be, in case it has to stand alone (parent in another batch).
        op.spanId = span.parentSpanId;
        op.parentSpanId = '';
        op.name = 'claude_code.tool';
        // Only the session: these spans lack agent_id even inside a subagent, so agent fields would be wrong.
        op.sessionId = agentFields(a).sessionId;
        op.toolCallId = firstStr(a, ['tool_use_id', 'gen_ai.tool.call.id']);
        const failed = span.statusCode === 2 || bool(a, 'success') === false;
        op.status = failed ? 'error' : 'ok';
        if (failed) {
          op.errorType = firstStr(a, ['error_class', 'error.type']) || 'tool_error';
          op.errorMessage = str(a, 'error') || span.statusMessage;
        } else op.errorType = op.errorMessage = '';
        if (!span.parentSpanId) return [];
        return [markPartial(op, { by: 'identity' })];
      }
      case 'claude_code.tool.blocked_on_user': {
        if (str(a, 'decision') !== 'reject' || !span.parentSpanId) return [];
        const op = spanOp(span, 'tool', NAME);
        op.spanId = span.parentSpanId;
        op.parentSpanId = '';
        op.name = 'claude_code.tool';
        // Only the session: these spans lack agent_id even inside a subagent, so agent fields would be wrong.
        op.sessionId = agentFields(a).sessionId;
        op.status = 'error';
        op.errorType = 'permission_denied';
        op.errorMessage = `tool use rejected (${str(a, 'source') || 'user'})`;
        return [markPartial(op, { by: 'identity' })];
      }
      default: {
        const op = spanOp(span, 'other', NAME);
        Object.assign(op, agentFields(a));
        return [op];
      }
    }
  },
};

function llmRequest(op: Operation, a: Attributes, spanError: boolean): Operation[] {
  Object.assign(op, agentFields(a));
  op.requestModel = firstStr(a, ['model', 'gen_ai.request.model']);
  op.responseModel = str(a, 'gen_ai.response.model');
  op.provider = firstStr(a, ['gen_ai.provider.name', 'gen_ai.system']) || 'anthropic';
  tokens(op, a);
  op.finishReason = normalizeFinishReason(str(a, 'stop_reason'));
  op.requestId = firstStr(a, ['request_id', 'gen_ai.response.id']);
  if (bool(a, 'success') === true && !spanError) op.status = 'ok';
  if (spanError || bool(a, 'success') === false) {
    op.status = 'error';
    op.errorType = op.errorType || str(a, 'status_code') || 'api_error';
    op.errorMessage = str(a, 'error') || op.errorMessage;
  }
  const out = [op];
  if (isCompactRequest(a)) out.push(compactionFromCall(op, 'auto'));
  return out;
}

// ---------- logs ----------

export const claudeCodeLogs: LogDialect = {
  name: NAME,
  ...KEYS,
  matches(log, eventName = logEventName(log)) {
    return (
      eventName.startsWith('claude_code.') ||
      SERVICES.has(log.resource.serviceName) ||
      log.scope.name.startsWith('com.anthropic.claude_code') ||
      (log.body.type === undefined && log.body.value.startsWith('claude_code.'))
    );
  },
  normalize(log, eventName = logEventName(log)) {
    // event.name is `api_request` (docs) or `claude_code.api_request` (some versions); the body is prefixed.
    const event = eventName.startsWith('claude_code.') ? eventName.slice(12) : eventName;
    const full = 'claude_code.' + event;
    const a = log.attributes;
    const who = agentFields(a);
    const session = who.sessionId;
    const requestId = str(a, 'request_id');
    const llmIdentity = requestId ? ['llm', session, requestId] : eventIdentity(log, full, session);
    const duration = num(a, 'duration_ms');
    switch (event) {
      case 'api_request':
      case 'api_error':
      case 'api_refusal': {
        const op = logOp(log, 'llm', NAME, full, llmIdentity, duration);
        Object.assign(op, who);
        op.requestModel = str(a, 'model');
        op.provider = 'anthropic';
        op.requestId = requestId;
        if (event === 'api_request') tokens(op, a);
        if (event === 'api_error') {
          op.status = 'error';
          op.errorType = str(a, 'status_code') || 'api_error';
          op.errorMessage = str(a, 'error');
        } else if (event === 'api_refusal') {
          op.finishReason = 'refusal';
          op.errorType = 'refusal';
          op.errorMessage = str(a, 'category');
        } else op.status = 'ok';
        const out = [op];
        if (isCompactRequest(a)) out.push(compactionFromCall(op, 'auto'));
        return out;
      }
      case 'assistant_response': {
        if (!requestId) return [];
        const op = logOp(log, 'llm', NAME, '', llmIdentity);
        Object.assign(op, who);
        op.startTimeUnixNano = op.endTimeUnixNano = '0';
        op.requestId = requestId;
        op.outputMessages = assistantText(notRedacted(str(a, 'response')));
        return [markPartial(op, { by: 'identity', dropIfAlone: true })];
      }
      case 'api_request_body':
      case 'api_response_body': {
        if (!requestId) return [];
        const body = parseJsonLoose(str(a, 'body'));
        if (!isObj(body)) return [];
        const op = logOp(log, 'llm', NAME, '', llmIdentity);
        Object.assign(op, who);
        op.startTimeUnixNano = op.endTimeUnixNano = '0';
        op.requestId = requestId;
        if (event === 'api_request_body') {
          op.inputMessages = toChatMessages({ system: body.system, messages: body.messages });
          op.tools = toToolDefinitions(body.tools);
        } else {
          op.outputMessages = toChatMessages([{ role: 'assistant', content: body.content }], { defaultRole: 'assistant' });
          op.finishReason = normalizeFinishReason(toText(body.stop_reason));
          op.responseModel = toText(body.model);
        }
        return [markPartial(op, { by: 'identity', dropIfAlone: true })];
      }
      case 'user_prompt': {
        const promptId = str(a, 'prompt.id');
        const op = logOp(log, 'agent', NAME, full, promptId ? ['turn', session, promptId] : eventIdentity(log, full, session));
        Object.assign(op, who);
        op.inputMessages = userText(notRedacted(firstStr(a, ['prompt', 'prompt_text'])));
        return [op];
      }
      case 'tool_result':
      case 'tool_decision': {
        const id = str(a, 'tool_use_id');
        const identity = id ? ['tool', session, id] : eventIdentity(log, full, session);
        if (event === 'tool_decision') {
          if (str(a, 'decision') !== 'reject' || !id) return [];
          const op = logOp(log, 'tool', NAME, '', identity);
          Object.assign(op, who);
          op.toolName = str(a, 'tool_name');
          op.toolCallId = id;
          op.status = 'error';
          op.errorType = 'permission_denied';
          op.errorMessage = `tool use rejected (${str(a, 'source') || 'user'})`;
          return [markPartial(op, { by: 'identity' })];
        }
        const op = logOp(log, 'tool', NAME, full, identity, duration);
        Object.assign(op, who);
        op.toolName = str(a, 'tool_name');
        op.toolCallId = id;
        op.toolArguments = firstStr(a, ['tool_input', 'tool_parameters']);
        op.requestId = requestId;
        const ok = bool(a, 'success');
        op.status = ok === false ? 'error' : ok === true ? 'ok' : 'unset';
        if (ok === false) {
          op.errorType = str(a, 'error_type') || 'tool_error';
          op.errorMessage = str(a, 'error');
        }
        return [op];
      }
      case 'compaction': {
        const op = logOp(log, 'compaction', NAME, full, eventIdentity(log, full, session), duration);
        if (log.traceId) op.spanId = compactionSpanId(session, log.traceId, log.spanId);
        Object.assign(op, who);
        op.compaction = {
          trigger: str(a, 'trigger') || 'unknown',
          tokensBefore: firstNum(a, ['pre_tokens', 'tokens_before']),
          tokensAfter: firstNum(a, ['post_tokens', 'tokens_after']),
          estimated: false,
        };
        const ok = bool(a, 'success');
        op.status = ok === false ? 'error' : 'ok';
        if (ok === false) {
          op.errorType = 'compaction_failed';
          op.errorMessage = str(a, 'error');
        }
        return [op];
      }
      case 'subagent_completed': {
        const op = logOp(log, 'subagent', NAME, full, eventIdentity(log, full, session), duration);
        Object.assign(op, who);
        // Same id as the record synthesized from its calls (link.ts), so the two are one.
        if (who.agentId !== session) op.spanId = subagentSpanId(session, who.agentId);
        else op.agentId = op.spanId;
        op.agentName = str(a, 'agent_type') || who.agentName;
        op.parentAgentId = str(a, 'parent_agent_id') || session;
        op.requestModel = str(a, 'model');
        op.responseModel = str(a, 'final_model');
        op.status = 'ok';
        return [op];
      }
      default:
        return [];
    }
  },
};
