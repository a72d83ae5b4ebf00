// OTel GenAI semantic conventions: current gen_ai.input/output.messages on attributes,
// deprecated gen_ai.system + per-message events, gen_ai.conversation.compacted, caller/transfer/main_agent
// (2026 refinements), and the gen_ai.* log events. Last in the span order: anything with gen_ai.*
// that no more specific dialect claimed.
import type { LogRecord, Span } from '../../model/otlp.js';
import { eventIdentity, logBody, logEventName, logOp, markPartial, spanOp } from '../base.js';
import { compactionSpanId } from '../ids.js';
import { fillGenAi, genAiKind, messageFromEvent } from '../genai.js';
import type { Operation } from '../../model/operation.js';
import { emptyOperation } from '../../model/operation.js';
import { bool, firstStr, has, str } from '../values.js';
import type { DialectKeys, LogDialect, SpanDialect } from './types.js';

export const NAME = 'otel-genai';

/**
 * Semconv's keys, shared by spans and log events. Spawn tools: GitHub Copilot's `runSubagent` (its spans are
 * semconv-shaped, so this dialect reads them); `delegate_task` was in tracemill's first list and no capture
 * under tests/fixtures shows which agent sends it.
 */
const KEYS: DialectKeys = {
  sessionKeys: ['gen_ai.conversation.id'],
  historyKeys: ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.definitions'],
  spawnTools: ['runSubagent', 'delegate_task'],
};

export const otelGenAiSpans: SpanDialect = {
  name: NAME,
  ...KEYS,
  matches(span) {
    const v = span.attributes.values;
    return (
      v['gen_ai.operation.name'] !== undefined ||
      v['gen_ai.request.model'] !== undefined ||
      v['gen_ai.tool.name'] !== undefined ||
      v['gen_ai.provider.name'] !== undefined ||
      v['gen_ai.system'] !== undefined
    );
  },
  normalize(span) {
    return normalizeGenAiSpan(span, NAME);
  },
};

/** The semconv reading of a span; other semconv-shaped dialects (Vercel v7, Strands, ADK ...) reuse it. */
export function normalizeGenAiSpan(span: Span, dialect: string): Operation[] {
  const a = span.attributes;
  const op = spanOp(span, genAiKind(a), dialect);
  if (op.kind === 'agent') {
    // Explicit caller (2026): a CLIENT invoke_agent called by another agent.
    if (str(a, 'gen_ai.caller.type') === 'agent') {
      op.kind = 'subagent';
      op.parentAgentId = firstStr(a, ['gen_ai.caller.id', 'gen_ai.caller.name']);
    }
    // A main-agent entity on the resource that is not this agent marks this one as its subagent.
    const ra = span.resource.attributes;
    const mainId = firstStr(ra, ['gen_ai.main_agent.id', 'microsoft.gen_ai.main_agent.id']);
    const mainName = firstStr(ra, ['gen_ai.main_agent.name', 'microsoft.gen_ai.main_agent.name']);
    const id = str(a, 'gen_ai.agent.id');
    const name = str(a, 'gen_ai.agent.name');
    if ((mainId && id && mainId !== id) || (!mainId && mainName && name && mainName !== name)) {
      op.kind = 'subagent';
      if (!op.parentAgentId) op.parentAgentId = mainId || mainName;
    }
  }
  if (op.kind === 'tool' && str(a, 'gen_ai.transfer.mode') === 'pass_control') op.kind = 'handoff';
  fillGenAi(op, a, span);
  const out = [op];
  if (op.kind === 'compaction') {
    op.compaction = { trigger: firstStr(a, ['gen_ai.compaction.trigger', 'trigger']) || 'unknown', tokensBefore: null, tokensAfter: null, estimated: true };
  } else if (op.kind === 'llm' && bool(a, 'gen_ai.conversation.compacted') === true) {
    // This call received the compacted history: its prompt is the context after compaction.
    const c = compactionFromCall(op);
    c.compaction!.tokensAfter = op.inputTokens;
    out.push(c);
  }
  return out;
}

/**
 * A compaction record for an LLM call that received compacted history (gen_ai.conversation.compacted) or
 * performed the compaction (Claude Code query_source=compact). Tokens are estimated later from the calls
 * around it (compaction.ts).
 */
export function compactionFromCall(call: Operation, trigger = 'unknown'): Operation {
  return emptyOperation({
    kind: 'compaction',
    dialect: call.dialect,
    source: call.source,
    traceId: call.traceId,
    spanId: compactionSpanId(call.sessionId, call.traceId, call.parentSpanId || call.spanId),
    parentSpanId: call.parentSpanId,
    name: 'compaction',
    startTimeUnixNano: call.startTimeUnixNano,
    endTimeUnixNano: call.endTimeUnixNano,
    serviceName: call.serviceName,
    agentName: call.agentName,
    agentId: call.agentId,
    parentAgentId: call.parentAgentId,
    sessionId: call.sessionId,
    userId: call.userId,
    requestModel: call.requestModel,
    provider: call.provider,
    requestId: call.requestId,
    status: call.status,
    compaction: { trigger, tokensBefore: null, tokensAfter: null, estimated: true },
  });
}

export const otelGenAiLogs: LogDialect = {
  name: NAME,
  ...KEYS,
  matches(log, eventName = logEventName(log)) {
    return eventName.startsWith('gen_ai.');
  },
  normalize(log, eventName = logEventName(log)) {
    return normalizeGenAiLog(log, eventName, NAME);
  },
};

/** Events are tied to the span they were emitted in; all events of one span build one LLM operation. */
export function normalizeGenAiLog(log: LogRecord, eventName: string, dialect: string): Operation[] {
  const a = log.attributes;
  const session = firstStr(a, ['gen_ai.conversation.id', 'session.id']);
  const identity = log.spanId ? ['span', log.traceId, log.spanId] : eventIdentity(log, eventName, session);
  if (eventName === 'gen_ai.client.inference.operation.details') {
    const op = logOp(log, 'llm', dialect, eventName, identity);
    if (has(a, 'gen_ai.operation.name')) op.kind = genAiKind(a);
    fillGenAi(op, a);
    op.name = [a.values['gen_ai.operation.name'], op.requestModel].filter(Boolean).join(' ') || eventName;
    return [op];
  }
  if (eventName === 'gen_ai.client.operation.exception') {
    const op = logOp(log, 'llm', dialect, '', identity);
    op.status = 'error';
    op.errorType = str(a, 'exception.type');
    op.errorMessage = str(a, 'exception.message');
    return [markPartial(op, { by: 'identity' })];
  }
  const m = messageFromEvent(eventName, a, logBody(log));
  if (!m) return [];
  const op = logOp(log, 'llm', dialect, '', identity);
  fillGenAi(op, a);
  if (m.output) op.outputMessages = m.messages;
  else op.inputMessages = m.messages;
  if (m.finishReason) op.finishReason = m.finishReason;
  return [markPartial(op, { by: 'identity' })];
}
