// Normalized operations (with their failures) -> rows of the operations table, as JSONCompactEachRow lines.
import type { Failure } from '../../model/failure.js';
import { type Operation, emptyOperation } from '../../model/operation.js';

/** Operations are written by the settle loop (src/analysis/settle.ts), not the ingest writer: JSON lines. */
export interface JsonRows {
  table: string;
  columns: readonly string[];
  /** JSONCompactEachRow lines, each ending in '\n'. */
  body: string;
  rows: number;
}

export const OPERATION_COLUMNS = [
  'project_id',
  'day',
  'group_key',
  'trace_id',
  'span_id',
  'parent_span_id',
  'start_time',
  'end_time',
  'kind',
  'dialect',
  'source',
  'name',
  'service_name',
  'agent_name',
  'agent_id',
  'parent_agent_id',
  'depth',
  'session_id',
  'user_id',
  'request_model',
  'response_model',
  'provider',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'finish_reason',
  'tool_name',
  'tool_call_id',
  'tool_arguments',
  'tool_result',
  'status',
  'error_type',
  'error_message',
  'input_messages',
  'output_messages',
  'tools',
  'compaction_trigger',
  'compaction_tokens_before',
  'compaction_tokens_after',
  'compaction_estimated',
  'request_id',
  'failure_modes',
  'failure_severities',
  'failure_detectors',
  'failure_evidence',
  'version',
  'is_deleted',
  // 007_alerts: the tool each failure names (the LLM call's failures name the tool it called).
  'failure_tools',
] as const;

/** An operation as written: where it lives (partition day, group) and what was found on it. */
export interface OperationRow {
  op: Operation;
  day: string;
  failures: Failure[];
}

/** A previous row the new rebuild no longer has: its key, to write a tombstone. */
export interface OperationKey {
  day: string;
  groupKey: string;
  traceId: string;
  spanId: string;
}

const ZERO_NS = '0';

/** Token counts are integers by contract; anything else a dialect let through is stored as unknown. */
function count(v: number | null): number | null {
  return v !== null && Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
}

function nanos(s: string): string {
  return /^\d{1,19}$/.test(s) ? s : ZERO_NS;
}

function encodeRow(project: string, day: string, groupKey: string, op: Operation, failures: Failure[], v: string, deleted: 0 | 1): string {
  const c = op.compaction;
  const head = JSON.stringify([project, day, groupKey, op.traceId, op.spanId, op.parentSpanId]);
  const tail = JSON.stringify([
    op.kind,
    op.dialect,
    op.source,
    op.name,
    op.serviceName,
    op.agentName,
    op.agentId,
    op.parentAgentId,
    Math.max(0, Math.min(255, op.depth | 0)),
    op.sessionId,
    op.userId,
    op.requestModel,
    op.responseModel,
    op.provider,
    count(op.inputTokens),
    count(op.outputTokens),
    count(op.cacheReadTokens),
    count(op.cacheWriteTokens),
    count(op.reasoningTokens),
    op.costUsd !== null && Number.isFinite(op.costUsd) ? op.costUsd : null,
    op.finishReason,
    op.toolName,
    op.toolCallId,
    op.toolArguments,
    op.toolResult,
    op.status,
    op.errorType,
    op.errorMessage,
    JSON.stringify(op.inputMessages),
    JSON.stringify(op.outputMessages),
    JSON.stringify(op.tools),
    c?.trigger ?? '',
    c ? count(c.tokensBefore) : null,
    c ? count(c.tokensAfter) : null,
    c?.estimated ? 1 : 0,
    op.requestId,
    failures.map((f) => f.mode),
    failures.map((f) => f.severity),
    failures.map((f) => f.detector),
    failures.map((f) => f.evidence),
  ]);
  // Nanosecond times go in as bare integers (DateTime64(9) reads them as ticks), beyond JSON's safe range.
  const tools = JSON.stringify(failures.map((f) => f.toolName || op.toolName));
  return `${head.slice(0, -1)},${nanos(op.startTimeUnixNano)},${nanos(op.endTimeUnixNano)},${tail.slice(1, -1)},${v},${deleted},${tools}]\n`;
}

export function encodeOperations(project: string, groupKey: string, version: bigint, rows: OperationRow[], tombstones: OperationKey[]): JsonRows {
  let body = '';
  const v = version.toString();
  for (const { op, day, failures } of rows) body += encodeRow(project, day, groupKey, op, failures, v, 0);
  for (const t of tombstones) {
    const empty = emptyOperation({ kind: 'other', dialect: '', traceId: t.traceId, spanId: t.spanId });
    body += encodeRow(project, t.day, t.groupKey, empty, [], v, 1);
  }
  return { table: 'operations', columns: OPERATION_COLUMNS, body, rows: rows.length + tombstones.length };
}
