// OpenAI Codex CLI (examples in tests/normalize/dialect-codex.test.ts). Logs: attribute event.name `codex.*` (the LogRecord event_name field
// holds a source location, see base.ts logEventName), session = conversation.id (each subagent thread has
// its own), counts often sent as strings. The per-call usage is on the `codex.sse_event` /
// `codex.websocket_event` with event.kind=response.completed (OpenAI semantics: input includes cached); Codex
// 0.171 logs every SSE event once generically (with duration_ms, no usage) and response.completed a second
// time with the usage: the generic record completes the one with usage (or stands for the call without it).
// Tool calls are `codex.tool_result` (call_id, arguments, output, success); `success` only says the tool
// ran, a shell command's exit code is in the output text.
// Spans (scope `codex_exec`/`codex_tui`...): hundreds of internal tracing spans per turn (file reads, rollout
// persistence, tool-router building); only the turn (`run_turn`) and the tool dispatch spans are operations,
// the rest stay raw spans. Response events carry no trace context: merge.ts places them in the conversation's
// trace of that moment.
import type { Attributes } from '../../model/otlp.js';
import { eventIdentity, logEventName, logOp, markPartial, spanOp } from '../base.js';
import { userText } from '../messages.js';
import type { Operation } from '../../model/operation.js';
import { bool, firstStr, has, num, str } from '../values.js';
import type { LogDialect, SpanDialect } from './types.js';

export const NAME = 'codex';

const AGENT = 'codex';

function who(a: Attributes): Pick<Operation, 'sessionId' | 'userId' | 'agentId' | 'agentName'> {
  const sessionId = firstStr(a, ['conversation.id', 'thread.id', 'session.id']);
  return { sessionId, userId: firstStr(a, ['user.account_id', 'user.email']), agentId: sessionId, agentName: AGENT };
}

/** The exit code a shell tool printed ("Process exited with code 1"), or null. */
export function shellExitCode(output: string): number | null {
  const m = /^Process exited with code (-?\d+)\s*$/m.exec(output);
  return m ? Number(m[1]) : null;
}

export const codexSpans: SpanDialect = {
  name: NAME,
  sessionKeys: ['conversation.id'],
  matches(span) {
    return span.scope.name.startsWith('codex');
  },
  normalize(span) {
    const a = span.attributes;
    if (span.name === 'run_turn') {
      // One user turn; the agent id is the conversation, as on the log events (no phantom subagent).
      const op = spanOp(span, 'agent', NAME);
      Object.assign(op, who(a));
      op.requestId = str(a, 'turn.id');
      return [op];
    }
    if (str(a, 'codex.tool.phase') === 'dispatch' && has(a, 'call_id')) {
      // The tool call itself; its codex.tool_result event (same call_id) brings arguments, output, success.
      const op = spanOp(span, 'tool', NAME);
      Object.assign(op, who(a));
      op.toolName = str(a, 'tool_name') || span.name;
      op.toolCallId = str(a, 'call_id');
      if (str(a, 'aborted') === 'true' && op.status !== 'error') {
        op.status = 'error';
        op.errorType = 'aborted';
      }
      return [op];
    }
    return [];
  },
};

export const codexLogs: LogDialect = {
  name: NAME,
  sessionKeys: ['conversation.id'],
  spawnTools: ['spawn_agent'],
  matches(log, eventName = logEventName(log)) {
    return eventName.startsWith('codex.');
  },
  normalize(log, eventName = logEventName(log)) {
    const a = log.attributes;
    const w = who(a);
    const duration = num(a, 'duration_ms');
    switch (eventName) {
      case 'codex.sse_event':
      case 'codex.websocket_event': {
        const kind = str(a, 'event.kind');
        if (kind !== 'response.completed' && kind !== 'response.failed') return [];
        // The generic per-SSE-event record of a completion (duration_ms, no usage) completes its usage twin,
        // logged right after it; without usage from the provider it is the only record of the call.
        const generic = kind === 'response.completed' && has(a, 'duration_ms') && !has(a, 'input_token_count') && !has(a, 'output_token_count');
        const op = logOp(log, 'llm', NAME, eventName, eventIdentity(log, eventName, w.sessionId), duration);
        Object.assign(op, w);
        op.requestModel = firstStr(a, ['model', 'slug']);
        op.provider = str(a, 'provider_name');
        op.inputTokens = num(a, 'input_token_count');
        op.outputTokens = num(a, 'output_token_count');
        op.cacheReadTokens = num(a, 'cached_token_count');
        op.reasoningTokens = num(a, 'reasoning_token_count');
        if (kind === 'response.failed' || str(a, 'error.message')) {
          op.status = 'error';
          op.errorType = kind;
          op.errorMessage = str(a, 'error.message');
        } else op.status = 'ok';
        return [generic ? markPartial(op, { by: 'nearest' }) : op];
      }
      case 'codex.api_request':
      case 'codex.websocket_request': {
        // Transport events: an operation only when the request failed before any response event.
        const code = num(a, 'http.response.status_code');
        const failed = str(a, 'error.message') !== '' || (code !== null && code >= 400) || bool(a, 'success') === false;
        if (!failed) return [];
        const op = logOp(log, 'llm', NAME, eventName, eventIdentity(log, eventName, w.sessionId), duration);
        Object.assign(op, w);
        op.requestModel = firstStr(a, ['model', 'slug']);
        op.status = 'error';
        op.errorType = code !== null ? `http_${code}` : 'request_failed';
        op.errorMessage = str(a, 'error.message');
        return [op];
      }
      case 'codex.tool_result': {
        const id = str(a, 'call_id');
        const op = logOp(log, 'tool', NAME, eventName, id ? ['tool', w.sessionId, id] : eventIdentity(log, eventName, w.sessionId), duration);
        Object.assign(op, w);
        op.toolName = str(a, 'tool_name');
        op.toolCallId = id;
        op.toolArguments = str(a, 'arguments');
        op.toolResult = str(a, 'output');
        const ok = bool(a, 'success');
        const exit = shellExitCode(op.toolResult);
        const failed = ok === false || (exit !== null && exit !== 0);
        op.status = failed ? 'error' : ok === true ? 'ok' : 'unset';
        if (failed) {
          op.errorType = 'tool_error';
          op.errorMessage = str(a, 'error.message') || op.toolResult.slice(0, 1000);
        }
        return [op];
      }
      case 'codex.tool_decision': {
        const decision = str(a, 'decision');
        const id = str(a, 'call_id');
        if ((decision !== 'denied' && decision !== 'abort') || !id) return [];
        const op = logOp(log, 'tool', NAME, '', ['tool', w.sessionId, id]);
        Object.assign(op, w);
        op.toolName = str(a, 'tool_name');
        op.toolCallId = id;
        op.status = 'error';
        op.errorType = 'permission_denied';
        op.errorMessage = `tool use ${decision} (${str(a, 'source') || 'user'})`;
        return [markPartial(op, { by: 'identity' })];
      }
      case 'codex.user_prompt': {
        const op = logOp(log, 'agent', NAME, eventName, eventIdentity(log, eventName, w.sessionId));
        Object.assign(op, w);
        const p = str(a, 'prompt');
        op.inputMessages = userText(p === '[REDACTED]' ? '' : p);
        return [op];
      }
      default:
        return [];
    }
  },
};
