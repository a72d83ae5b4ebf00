// Operation skeletons from a span or a log record (identity, timing, service, status and errors), and the
// marker for partial operations: records that complete another operation of the same batch (a Claude Code
// `tool.execution` span carries the status of its `claude_code.tool` parent, an `assistant_response` event
// the output of its `api_request`) instead of standing on their own.
import type { LogRecord, Span } from '../model/otlp.js';
import { treeToPlain, typedToTree } from '../model/values.js';
import { derivedSpanId } from './ids.js';
import { type Operation, type OperationKind, emptyOperation } from '../model/operation.js';
import { firstStr, nanosMinusMs, str } from './values.js';

const PARTIAL = Symbol('tracemill.partial');

export interface PartialInfo {
  /** How to find the operation it completes: same identity (trace + span id), or a correlation key. */
  by: 'identity' | 'requestId' | 'toolCallId' | 'nearest';
  /** Dropped when nothing in the batch matches (e.g. a permission decision without its tool call). */
  dropIfAlone?: boolean;
}

export function markPartial(op: Operation, info: PartialInfo): Operation {
  (op as unknown as Record<symbol, PartialInfo>)[PARTIAL] = info;
  return op;
}

export function partialInfo(op: Operation): PartialInfo | undefined {
  return (op as unknown as Record<symbol, PartialInfo | undefined>)[PARTIAL];
}

export function clearPartial(op: Operation): void {
  delete (op as unknown as Record<symbol, unknown>)[PARTIAL];
}

export function spanStatus(span: Span): Pick<Operation, 'status' | 'errorType' | 'errorMessage'> {
  const a = span.attributes;
  let status: Operation['status'] = span.statusCode === 2 ? 'error' : span.statusCode === 1 ? 'ok' : 'unset';
  let errorType = str(a, 'error.type');
  let errorMessage = span.statusCode === 2 ? span.statusMessage : '';
  // Exception events carry the class and message when the status message is empty.
  for (const e of span.events) {
    if (e.name !== 'exception') continue;
    if (!errorType) errorType = str(e.attributes, 'exception.type');
    if (!errorMessage) errorMessage = str(e.attributes, 'exception.message');
  }
  if (!errorMessage && (status === 'error' || errorType)) errorMessage = firstStr(a, ['error.message', 'exception.message']);
  // error.type is only set on failure (semconv), so it marks an error even when the status was left unset.
  if (status === 'unset' && errorType && errorType !== 'none') status = 'error';
  return { status, errorType, errorMessage };
}

/** Skeleton of the operation for one span: identity, timing, service, status. */
export function spanOp(span: Span, kind: OperationKind, dialect: string): Operation {
  return emptyOperation({
    kind,
    dialect,
    source: 'span',
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    serviceName: span.resource.serviceName,
    ...spanStatus(span),
  });
}

/** An event name is one token (`codex.tool_result`, `gen_ai.client.inference.operation.details`). */
const EVENT_NAME = /^[\w.:-]+$/;

/**
 * The event name of a log record: the LogRecord `event_name` field, else the `event.name` attribute, else a
 * dotted identifier in the body (Claude Code puts `claude_code.api_request` there). A field that does not
 * look like an event name loses to the attribute: Codex fills the field with its source location
 * (`event otel/src/tool_result.rs:54`) and names the event in `event.name`.
 */
export function logEventName(log: LogRecord): string {
  const en = log.attributes.values['event.name'];
  if (log.eventName && (!en || EVENT_NAME.test(log.eventName))) return log.eventName;
  if (en) return en;
  const b = log.body;
  if (b.type === undefined && b.value.length < 100 && /^[a-z][\w.-]*\.[\w.-]+$/i.test(b.value)) return b.value;
  return '';
}

/** The body as a plain value (kvlist -> object). */
export function logBody(log: LogRecord): unknown {
  if (log.body.type === undefined) return log.body.value;
  if (log.body.type === 'empty') return undefined;
  return treeToPlain(typedToTree(log.body));
}

export function logTime(log: LogRecord): string {
  return log.timeUnixNano !== '0' && log.timeUnixNano !== '' ? log.timeUnixNano : log.observedTimeUnixNano;
}

/**
 * Skeleton of the operation for a log event. The event has no span of its own: its span id is derived from
 * `identity` (correlation keys such as the request id), and the span it was emitted in becomes its parent,
 * which is what merging with spans and the agent tree need.
 */
export function logOp(log: LogRecord, kind: OperationKind, dialect: string, name: string, identity: string[], durationMs: number | null = null): Operation {
  const end = logTime(log);
  return emptyOperation({
    kind,
    dialect,
    source: 'log',
    traceId: log.traceId,
    spanId: derivedSpanId(dialect, kind, ...identity),
    parentSpanId: log.spanId,
    name,
    startTimeUnixNano: nanosMinusMs(end, durationMs),
    endTimeUnixNano: end,
    serviceName: log.resource.serviceName,
  });
}

/** Identity of a log event with no correlation key: what it is and when it happened in which session. */
export function eventIdentity(log: LogRecord, eventName: string, session: string): string[] {
  const seq = log.attributes.values['event.sequence'] ?? '';
  return [session, eventName, logTime(log), seq, log.traceId, log.spanId];
}

