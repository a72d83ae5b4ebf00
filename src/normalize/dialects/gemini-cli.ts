// Gemini CLI (examples in tests/normalize/dialect-gemini-cli.test.ts). Spans: scope `gemini-cli`, name = gen_ai.operation.name with non-standard
// values (user_prompt, llm_call, tool_call, agent_call, ...), tool call id in `gen_ai.tool.call_id`, and
// gen_ai.input/output.messages holding arbitrary JSON rather than the semconv schema. Logs: event.name
// `gemini_cli.*` (body is a sentence), plus the semconv `gen_ai.client.inference.operation.details` event
// for the same call as `gemini_cli.api_response` — it completes that call instead of counting twice.
import type { Attributes } from '../../model/otlp.js';
import { eventIdentity, logEventName, logOp, logTime, markPartial, spanOp } from '../base.js';
import { subagentSpanId } from '../ids.js';
import { fillGenAi, firstFinishReason } from '../genai.js';
import { assistantText, userText } from '../messages.js';
import type { Operation, OperationKind } from '../../model/operation.js';
import { bool, firstNum, firstStr, isObj, num, plain, str, structured, toText } from '../values.js';
import { normalizeGenAiLog } from './otel-genai.js';
import type { LogDialect, SpanDialect } from './types.js';

export const NAME = 'gemini-cli';
const SCOPE = 'gemini-cli';

const SPAN_KINDS: Record<string, OperationKind> = {
  user_prompt: 'agent',
  llm_call: 'llm',
  tool_call: 'tool',
  agent_call: 'subagent',
};

export const geminiCliSpans: SpanDialect = {
  name: NAME,
  sessionKeys: ['session.id'],
  matches(span) {
    return span.scope.name === SCOPE;
  },
  normalize(span) {
    const a = span.attributes;
    const opName = str(a, 'gen_ai.operation.name') || span.name;
    const op = spanOp(span, SPAN_KINDS[opName] ?? 'other', NAME);
    if (op.kind === 'tool') {
      // Input is {callId, name, args}; output the tool's response object.
      const input = structured(a, 'gen_ai.input.messages');
      if (isObj(input)) {
        op.toolArguments = toText(input.args ?? input.arguments ?? '');
        op.toolCallId = toText(input.callId ?? '');
        op.toolName = toText(input.name ?? '');
      }
      const output = structured(a, 'gen_ai.output.messages');
      if (output !== undefined) op.toolResult = toText(output);
    }
    if (op.kind === 'agent') op.agentId = str(a, 'gen_ai.conversation.id');
    if (op.kind === 'subagent' && str(a, 'gen_ai.agent.name') === 'gemini-cli') {
      // The end-of-span pass overwrites the subagent's name with gemini-cli; do not keep the wrong one.
      op.agentName = '';
      op.agentId = op.spanId;
    }
    fillGenAi(op, a, span);
    if (op.kind === 'subagent' && op.agentName === 'gemini-cli') op.agentName = '';
    return [op];
  },
};

function who(a: Attributes): Pick<Operation, 'sessionId' | 'userId' | 'agentId' | 'agentName'> {
  const sessionId = str(a, 'session.id');
  return { sessionId, userId: firstStr(a, ['user.email', 'installation.id']), agentId: sessionId, agentName: 'gemini-cli' };
}

export const geminiCliLogs: LogDialect = {
  name: NAME,
  sessionKeys: ['session.id'],
  matches(log, eventName = logEventName(log)) {
    return eventName.startsWith('gemini_cli.') || (log.resource.serviceName === 'gemini-cli' && eventName.startsWith('gen_ai.'));
  },
  normalize(log, eventName = logEventName(log)) {
    const a = log.attributes;
    const w = who(a);
    const duration = firstNum(a, ['duration_ms', 'duration']);
    switch (eventName) {
      case 'gemini_cli.api_response': {
        const op = logOp(log, 'llm', NAME, eventName, eventIdentity(log, eventName, w.sessionId), duration);
        Object.assign(op, w);
        op.requestModel = str(a, 'model');
        op.provider = 'gcp.gemini';
        op.inputTokens = num(a, 'input_token_count');
        op.outputTokens = num(a, 'output_token_count');
        op.cacheReadTokens = num(a, 'cached_content_token_count');
        op.reasoningTokens = num(a, 'thoughts_token_count');
        op.finishReason = firstFinishReason(plain(a, 'finish_reasons'));
        op.outputMessages = assistantText(str(a, 'response_text'));
        const code = num(a, 'status_code');
        op.status = code !== null && code >= 400 ? 'error' : 'ok';
        if (op.status === 'error') op.errorType = `http_${code}`;
        return [op];
      }
      case 'gemini_cli.api_error': {
        const op = logOp(log, 'llm', NAME, eventName, eventIdentity(log, eventName, w.sessionId), duration);
        Object.assign(op, w);
        op.requestModel = firstStr(a, ['model_name', 'model']);
        op.provider = 'gcp.gemini';
        op.status = 'error';
        op.errorType = firstStr(a, ['error_type', 'status_code']) || 'api_error';
        op.errorMessage = firstStr(a, ['error.message', 'error']);
        return [op];
      }
      case 'gemini_cli.tool_call': {
        const op = logOp(log, 'tool', NAME, eventName, eventIdentity(log, eventName, w.sessionId), duration);
        Object.assign(op, w);
        op.toolName = str(a, 'function_name');
        op.toolArguments = str(a, 'function_args');
        const ok = bool(a, 'success');
        const rejected = str(a, 'decision') === 'reject';
        // `success` says the tool ran; a shell command that exited non-zero is success=true with
        // metadata {"exitCode":1,"isError":true}.
        const meta = structured(a, 'metadata');
        const exitCode = isObj(meta) && typeof meta.exitCode === 'number' ? meta.exitCode : null;
        const metaError = isObj(meta) && (meta.isError === true || (exitCode !== null && exitCode !== 0));
        op.status = ok === false || rejected || metaError ? 'error' : ok === true ? 'ok' : 'unset';
        if (rejected) {
          op.errorType = 'permission_denied';
          op.errorMessage = 'tool use rejected';
        } else if (ok === false || metaError) {
          op.errorType = str(a, 'error_type') || 'tool_error';
          op.errorMessage = str(a, 'error') || (exitCode !== null ? `exit code ${exitCode}` : 'tool reported an error');
        }
        return [op];
      }
      case 'gemini_cli.chat_compression': {
        const op = logOp(log, 'compaction', NAME, eventName, eventIdentity(log, eventName, w.sessionId));
        Object.assign(op, w);
        // The event does not say whether /compress or the automatic threshold triggered it.
        op.compaction = { trigger: 'unknown', tokensBefore: num(a, 'tokens_before'), tokensAfter: num(a, 'tokens_after'), estimated: false };
        op.status = 'ok';
        return [op];
      }
      case 'gemini_cli.agent.start':
      case 'gemini_cli.agent.finish': {
        const agentId = str(a, 'agent_id');
        if (!agentId) return [];
        const finish = eventName.endsWith('finish');
        const op = logOp(log, 'subagent', NAME, 'gemini_cli.agent', [], finish ? duration : null);
        op.spanId = subagentSpanId(w.sessionId, agentId);
        Object.assign(op, w);
        op.agentId = agentId;
        op.agentName = str(a, 'agent_name');
        op.parentAgentId = w.sessionId;
        if (!finish) op.endTimeUnixNano = logTime(log);
        if (finish) {
          const reason = str(a, 'terminate_reason');
          op.status = !reason || reason === 'GOAL' ? 'ok' : 'error';
          if (op.status === 'error') {
            op.errorType = reason;
            op.errorMessage = `subagent terminated: ${reason}`;
          }
          op.finishReason = reason.toLowerCase();
        }
        return [op];
      }
      case 'gemini_cli.user_prompt': {
        const promptId = str(a, 'prompt_id');
        const op = logOp(log, 'agent', NAME, eventName, promptId ? ['turn', w.sessionId, promptId] : eventIdentity(log, eventName, w.sessionId));
        Object.assign(op, w);
        op.inputMessages = userText(str(a, 'prompt'));
        return [op];
      }
      case 'gen_ai.client.inference.operation.details': {
        // Same call as the adjacent gemini_cli.api_response: contributes the messages.
        const ops = normalizeGenAiLog(log, eventName, NAME);
        for (const op of ops) {
          Object.assign(op, { sessionId: op.sessionId || w.sessionId, agentId: w.agentId, agentName: w.agentName });
          if (op.inputMessages.length === 0 && op.outputMessages.length === 0) fillGenAi(op, a);
          markPartial(op, { by: 'nearest' });
        }
        return ops;
      }
      default:
        return [];
    }
  },
};

