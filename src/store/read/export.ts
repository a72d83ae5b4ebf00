// Store reads of the corpus export (src/exporters/): agent runs selected by the export filters, a page at a time
// (keyset on group and run), the operations of those runs' groups back into the normalized model, task keys
// from span attributes, and the operations of the selected runs as Parquet written by ClickHouse itself.
import type { Readable } from 'node:stream';
import type { ClickHouseSettings } from '@clickhouse/client';
import type { Operation } from '../../model/operation.js';
import type { RunOperation } from '../../exporters/conversation.js';
import { type RedactionPattern } from '../../exporters/redact.js';
import type { Store } from '../clickhouse.js';

/** What selects runs, all in SQL. Times are Dates; settled bounds are settle times (operations.version). */
export interface RunSelection {
  project: string;
  from: Date;
  to: Date;
  service?: string;
  serviceVersion?: string;
  agent?: string;
  model?: string;
  tool?: string;
  modesPresent?: string[];
  modesAbsent?: string[];
  successfulOnly?: boolean;
  minTurns?: number;
  maxTurns?: number;
  settledAfter?: Date;
  settledUntil?: Date;
}

export interface RunRef {
  group_key: string;
  run: string;
}

/** Partitions are days and a rebuild never moves an operation across them: FINAL can merge per partition. */
const FINAL: ClickHouseSettings = { do_not_merge_across_partitions_select_final: 1 };
const DAY_MS = 86_400_000;

/** First partition day to read: a day before `from` (an operation's day is its first start), never before 1970. */
function fromDay(d: Date): string {
  return new Date(Math.max(0, d.getTime() - DAY_MS)).toISOString().slice(0, 10);
}

/** Versions are settle times in µs (ms * 1000 + a counter within the millisecond). */
const versionAt = (d: Date) => (BigInt(d.getTime()) * 1000n + 999n).toString();

const nanoTime = (d: Date) => (BigInt(d.getTime()) * 1_000_000n).toString();

export const RUN_EXPR = "if(agent_id != '', agent_id, concat('t:', trace_id))";

/** The runs query (without ORDER/LIMIT): one row per selected run. */
function runsSql(s: RunSelection): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {
    project: s.project,
    fromDay: fromDay(s.from),
    toDay: new Date(s.to.getTime() + DAY_MS).toISOString().slice(0, 10),
    fromNs: nanoTime(s.from),
    toNs: nanoTime(s.to),
  };
  const where = ['project_id = {project:String}', 'day >= toDate({fromDay:String})', 'day <= toDate({toDay:String})'];
  const having = ['min(toUnixTimestamp64Nano(start_time)) >= toInt64({fromNs:String})', 'min(toUnixTimestamp64Nano(start_time)) < toInt64({toNs:String})'];
  if (s.serviceVersion !== undefined) {
    where.push(
      "trace_id IN (SELECT trace_id FROM spans WHERE project_id = {project:String} AND toDate(start_time) >= toDate({fromDay:String}) AND resource_attributes['service.version'] = {serviceVersion:String})",
    );
    params.serviceVersion = s.serviceVersion;
  }
  if (s.service !== undefined) {
    having.push('countIf(service_name = {service:String}) > 0');
    params.service = s.service;
  }
  if (s.agent !== undefined) {
    having.push('countIf(agent_name = {agent:String}) > 0');
    params.agent = s.agent;
  }
  if (s.model !== undefined) {
    having.push('countIf(request_model = {model:String} OR response_model = {model:String}) > 0');
    params.model = s.model;
  }
  if (s.tool !== undefined) {
    having.push('countIf(tool_name = {tool:String}) > 0');
    params.tool = s.tool;
  }
  if (s.modesPresent?.length) {
    having.push('hasAll(groupUniqArrayArray(failure_modes), {present:Array(String)})');
    params.present = s.modesPresent;
  }
  if (s.modesAbsent?.length) {
    having.push('NOT hasAny(groupUniqArrayArray(failure_modes), {absent:Array(String)})');
    params.absent = s.modesAbsent;
  }
  if (s.successfulOnly) having.push("countIf(hasAny(failure_severities, ['medium', 'high'])) = 0");
  if (s.minTurns !== undefined) {
    having.push("countIf(kind = 'llm') >= {minTurns:UInt32}");
    params.minTurns = s.minTurns;
  }
  if (s.maxTurns !== undefined) {
    having.push("countIf(kind = 'llm') <= {maxTurns:UInt32}");
    params.maxTurns = s.maxTurns;
  }
  if (s.settledAfter !== undefined) {
    having.push('max(version) > toUInt64({settledAfter:String})');
    params.settledAfter = versionAt(s.settledAfter);
  }
  if (s.settledUntil !== undefined) {
    having.push('max(version) <= toUInt64({settledUntil:String})');
    params.settledUntil = versionAt(s.settledUntil);
  }
  return {
    sql: `SELECT group_key, ${RUN_EXPR} AS run FROM operations FINAL WHERE ${where.join(' AND ')} GROUP BY group_key, run HAVING ${having.join(' AND ')}`,
    params,
  };
}

/** The next page of selected runs after `after` (in group, run order). */
export async function selectRuns(store: Store, s: RunSelection, after: RunRef | undefined, limit: number): Promise<RunRef[]> {
  const q = runsSql(s);
  const params = { ...q.params, limit, ag: after?.group_key ?? '', ar: after?.run ?? '' };
  const cursor = after ? 'WHERE (group_key, run) > ({ag:String}, {ar:String})' : '';
  return store.query<RunRef>(`SELECT group_key, run FROM (${q.sql}) ${cursor} ORDER BY group_key, run LIMIT {limit:UInt32}`, params, FINAL);
}

interface OpRow {
  group_key: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  start_ns: string;
  end_ns: string;
  kind: Operation['kind'];
  dialect: string;
  source: Operation['source'];
  name: string;
  service_name: string;
  agent_name: string;
  agent_id: string;
  parent_agent_id: string;
  depth: number;
  session_id: string;
  user_id: string;
  request_model: string;
  response_model: string;
  provider: string;
  input_tokens: string | null;
  output_tokens: string | null;
  cache_read_tokens: string | null;
  cache_write_tokens: string | null;
  reasoning_tokens: string | null;
  cost_usd: number | null;
  finish_reason: string;
  tool_name: string;
  tool_call_id: string;
  tool_arguments: string;
  tool_result: string;
  status: Operation['status'];
  error_type: string;
  error_message: string;
  input_messages: string;
  output_messages: string;
  tools: string;
  compaction_trigger: string;
  compaction_tokens_before: string | null;
  compaction_tokens_after: string | null;
  compaction_estimated: number;
  request_id: string;
  failure_modes: string[];
  failure_severities: string[];
  failure_detectors: string[];
  failure_evidence: string[];
  v: string;
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

export function operationFromRow(r: OpRow): RunOperation {
  const op: Operation = {
    kind: r.kind,
    dialect: r.dialect,
    source: r.source,
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    name: r.name,
    startTimeUnixNano: r.start_ns,
    endTimeUnixNano: r.end_ns,
    serviceName: r.service_name,
    agentName: r.agent_name,
    agentId: r.agent_id,
    parentAgentId: r.parent_agent_id,
    depth: Number(r.depth),
    sessionId: r.session_id,
    userId: r.user_id,
    requestModel: r.request_model,
    responseModel: r.response_model,
    provider: r.provider,
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    cacheReadTokens: num(r.cache_read_tokens),
    cacheWriteTokens: num(r.cache_write_tokens),
    reasoningTokens: num(r.reasoning_tokens),
    costUsd: num(r.cost_usd),
    finishReason: r.finish_reason,
    toolName: r.tool_name,
    toolCallId: r.tool_call_id,
    toolArguments: r.tool_arguments,
    toolResult: r.tool_result,
    status: r.status,
    errorType: r.error_type,
    errorMessage: r.error_message,
    inputMessages: JSON.parse(r.input_messages) as Operation['inputMessages'],
    outputMessages: JSON.parse(r.output_messages) as Operation['outputMessages'],
    tools: JSON.parse(r.tools) as Operation['tools'],
    compaction:
      r.kind === 'compaction'
        ? { trigger: r.compaction_trigger, tokensBefore: num(r.compaction_tokens_before), tokensAfter: num(r.compaction_tokens_after), estimated: Number(r.compaction_estimated) === 1 }
        : null,
    requestId: r.request_id,
  };
  return {
    op,
    groupKey: r.group_key,
    version: r.v,
    failures: r.failure_modes.map((mode, i) => ({ mode, severity: r.failure_severities[i], detector: r.failure_detectors[i], evidence: r.failure_evidence[i] })),
  };
}

/** Every operation of the given groups (whole groups: a subagent's parent is in its group). */
export async function readGroups(store: Store, s: Pick<RunSelection, 'project' | 'from'>, groups: string[]): Promise<RunOperation[]> {
  if (groups.length === 0) return [];
  const rows = await store.query<OpRow>(
    `SELECT * EXCEPT (start_time, end_time, version, is_deleted, day, project_id),
            toString(toUnixTimestamp64Nano(start_time)) AS start_ns, toString(toUnixTimestamp64Nano(end_time)) AS end_ns, toString(version) AS v
       FROM operations FINAL
      WHERE project_id = {project:String} AND day >= toDate({fromDay:String}) AND group_key IN {groups:Array(String)}
      ORDER BY group_key, start_time, span_id`,
    { project: s.project, fromDay: fromDay(s.from), groups },
    FINAL,
  );
  return rows.map(operationFromRow);
}

/** A span (or resource) attribute's value per trace, for the preference task key. */
export async function traceAttribute(store: Store, project: string, traceIds: string[], key: string): Promise<Map<string, string>> {
  if (traceIds.length === 0) return new Map();
  const rows = await store.query<{ trace_id: string; value: string }>(
    `SELECT trace_id, anyIf(if(mapContains(attributes, {key:String}), attributes[{key:String}], resource_attributes[{key:String}]),
                            mapContains(attributes, {key:String}) OR mapContains(resource_attributes, {key:String})) AS value
       FROM spans WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)} GROUP BY trace_id`,
    { project, traces: traceIds, key },
  );
  return new Map(rows.filter((r) => r.value !== '').map((r) => [r.trace_id, r.value]));
}

/** ClickHouse string literal (RE2 pattern text goes in as a literal: a bound parameter cannot be a replaceRegexpAll pattern). */
function literal(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const re2 = (p: RedactionPattern) => (p.ignoreCase ? '(?i)' : '') + p.source;

function redactedColumn(col: string, patterns: RedactionPattern[], isArguments: boolean): string {
  let expr = col;
  for (const p of patterns) {
    if (p.argumentsOnly && !isArguments) continue;
    expr = `replaceRegexpAll(${expr}, ${literal(re2(p))}, ${literal((p.keep ? '\\1' : '') + `[REDACTED:${p.name}]`)})`;
  }
  return expr;
}

/** Text columns that can hold a secret; tool_arguments also gets the arguments-only patterns. */
const TEXT_COLUMNS = ['tool_arguments', 'tool_result', 'error_message', 'input_messages', 'output_messages'];

/**
 * The operations of the selected runs as a Parquet stream, written by ClickHouse's own output format, with the
 * redaction patterns applied in SQL; `counts` gets the number of matches per pattern (countMatches over the same rows).
 */
export async function parquetStream(store: Store, s: RunSelection, patterns: RedactionPattern[], counts: Map<string, number>): Promise<Readable> {
  const q = runsSql(s);
  const from = `FROM operations FINAL WHERE project_id = {project:String} AND day >= toDate({fromDay:String}) AND (group_key, ${RUN_EXPR}) IN (SELECT group_key, run FROM (${q.sql}))`;
  if (patterns.length) {
    const sums = patterns.map((p, i) => {
      const cols = TEXT_COLUMNS.filter((c) => !p.argumentsOnly || c === 'tool_arguments');
      return `sum(${cols.map((c) => `countMatches(${c}, ${literal(re2(p))})`).join(' + ')}) AS c${i}`;
    });
    const [row] = await store.query<Record<string, string>>(`SELECT ${sums.join(', ')} ${from}`, q.params, FINAL);
    patterns.forEach((p, i) => {
      const n = Number(row?.[`c${i}`] ?? 0);
      if (n) counts.set(p.name, (counts.get(p.name) ?? 0) + n);
    });
  }
  const cols = [
    'trace_id', 'span_id', 'parent_span_id', 'group_key', 'kind', 'name', 'dialect', 'source', 'start_time', 'end_time', 'service_name', 'agent_name',
    'agent_id', 'parent_agent_id', 'depth', 'session_id', 'user_id', 'request_model', 'response_model', 'provider', 'input_tokens', 'output_tokens',
    'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'finish_reason', 'tool_name', 'tool_call_id',
  ].map((c) => `${c}`);
  const text = TEXT_COLUMNS.map((c) => `${redactedColumn(c, patterns, c === 'tool_arguments')} AS ${c}`);
  // exec: the raw bytes of the output format, streamed as the engine produces them.
  const rs = await store.client.exec({
    query: `SELECT ${[...cols, ...text, 'status', 'error_type', 'tools', 'failure_modes', 'failure_severities', 'failure_detectors', 'failure_evidence'].join(', ')}
      ${from} ORDER BY group_key, start_time, span_id FORMAT Parquet`,
    query_params: q.params,
    clickhouse_settings: FINAL,
  });
  return rs.stream;
}

/** How many runs and operations a selection holds (the Parquet export's counts). */
export async function countSelected(store: Store, s: RunSelection): Promise<{ runs: number; operations: number }> {
  const q = runsSql(s);
  const [row] = await store.query<{ runs: string; ops: string }>(
    `SELECT uniqExact(group_key, ${RUN_EXPR}) AS runs, count() AS ops FROM operations FINAL
      WHERE project_id = {project:String} AND day >= toDate({fromDay:String}) AND (group_key, ${RUN_EXPR}) IN (SELECT group_key, run FROM (${q.sql}))`,
    q.params,
    FINAL,
  );
  return { runs: Number(row?.runs ?? 0), operations: Number(row?.ops ?? 0) };
}
