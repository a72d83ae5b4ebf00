// OpenAI Codex CLI log events (dialects.md §6.1): attribute event.name `codex.*`, session = conversation.id
// (each subagent thread has its own), counts often sent as strings. The only per-call usage is on the
// `codex.sse_event` / `codex.websocket_event` with event.kind=response.completed (OpenAI semantics: input
// includes cached). Tool calls are `codex.tool_result` (call_id, arguments, output, success).
import type { Attributes } from '../../model/otlp.js';
import { eventIdentity, logEventName, logOp, markPartial } from '../base.js';
import { userText } from '../messages.js';
import type { Operation } from '../../model/operation.js';
import { bool, firstStr, num, str } from '../values.js';
import type { LogDialect } from './types.js';

export const NAME = 'codex';

function who(a: Attributes): Pick<Operation, 'sessionId' | 'userId' | 'agentId' | 'agentName'> {
  const sessionId = firstStr(a, ['conversation.id', 'thread.id', 'session.id']);
  return { sessionId, userId: firstStr(a, ['user.account_id', 'user.email']), agentId: sessionId, agentName: 'codex' };
}

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
        return [op];
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
        op.status = ok === false ? 'error' : ok === true ? 'ok' : 'unset';
        if (ok === false) {
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
