// GET /api/v1/traces, /api/v1/traces/:traceId and /api/v1/sessions/:sessionId.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Store } from '../../store/clickhouse.js';
import { RAW_SPAN_SELECT, type RawSpanRow, restoreMessages, rowsToTracesRequest } from '../../store/read/spans.js';
import { TracemillError } from '../../model/errors.js';
import { nanosToIso } from './failures.js';
import { CURSOR_PARTS, FINAL_SETTINGS, decodeCursor, encodeCursor, operationsWhere, rangeOf } from './filters.js';
import { projectOf } from './project.js';
import {
  ErrorResponse,
  NoQuery,
  SessionParams,
  SessionResponse,
  TraceParams,
  TraceQuery,
  TraceResponse,
  type TraceSummary,
  TracesQuery,
  TracesResponse,
  type TreeNode,
  type NodeGroup,
  apiName,
} from './schemas.js';
import { type FieldGroup, fieldType, groupFields } from '../../model/operation.js';


type Summary = z.output<typeof TraceSummary>;

/** One row per trace over the operations `innerWhere` selects (all of each trace's operations are summed). */
const SUMMARY_SELECT = `
  trace_id,
  anyIf(session_id, session_id != '') AS session,
  argMin(name, (parent_span_id != '', toUnixTimestamp64Nano(start_time))) AS root_name,
  argMinIf(agent_name, toUnixTimestamp64Nano(start_time), depth = 0 AND agent_name != '') AS agent,
  anyIf(service_name, service_name != '') AS service,
  min(toUnixTimestamp64Nano(start_time)) AS start_ns,
  (max(toUnixTimestamp64Nano(end_time)) - min(toUnixTimestamp64Nano(start_time))) / 1e6 AS duration_ms,
  count() AS operations,
  countIf(kind = 'llm') AS llm_calls,
  countIf(kind = 'tool') AS tool_calls,
  countIf(kind = 'subagent') AS subagents,
  countIf(status = 'error') AS errors,
  arraySort(groupUniqArrayArray(failure_modes)) AS failure_modes,
  sumIf(ifNull(input_tokens, 0), kind = 'llm') AS input_tokens,
  sumIf(ifNull(output_tokens, 0), kind = 'llm') AS output_tokens,
  sumIf(ifNull(cost_usd, 0), kind = 'llm') AS cost_total, countIf(kind = 'llm' AND cost_usd IS NOT NULL) AS costed`;

function summary(r: Record<string, unknown>): Summary {
  return {
    trace_id: String(r.trace_id),
    session_id: String(r.session ?? ''),
    root_name: String(r.root_name),
    agent: String(r.agent),
    service: String(r.service),
    start: nanosToIso(String(r.start_ns)),
    duration_ms: Math.max(0, Number(r.duration_ms)),
    operations: Number(r.operations),
    llm_calls: Number(r.llm_calls),
    tool_calls: Number(r.tool_calls),
    subagents: Number(r.subagents),
    errors: Number(r.errors),
    failure_modes: r.failure_modes as string[],
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    // A cost nobody reported is unknown, not free.
    cost_usd: Number(r.costed) > 0 ? Number(r.cost_total) : null,
  };
}

/** A row of `SELECT *` on operations (ClickHouse JSON: UInt64 as text), plus the times in nanoseconds. */
type OpRow = Record<string, string | number | string[] | null> & {
  span_id: string;
  parent_span_id: string;
  kind: string;
  status: string;
  start_ns: string;
  end_ns: string;
  error_message: string;
  input_messages: string;
  output_messages: string;
  tools: string;
  failure_modes: string[];
  failure_severities: string[];
  failure_detectors: string[];
  failure_evidence: string[];
};

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** A node group read from the row's columns (operation fields by FieldMeta; a compaction's: compaction_<column>). */
function group(r: OpRow, g: FieldGroup): NodeGroup {
  const out: NodeGroup = {};
  for (const f of groupFields(g)) {
    const v = r[g === 'compaction' ? `compaction_${f.meta.column}` : f.meta.column];
    const { type, nullable } = fieldType(f.schema);
    out[apiName(f.meta)] = type === 'boolean' ? Number(v) === 1 : type === 'number' ? (nullable ? num(v) : Number(v)) : String(v ?? '');
  }
  return out;
}

function node(r: OpRow): TreeNode {
  const n: TreeNode = {
    span_id: r.span_id,
    parent_span_id: r.parent_span_id,
    kind: r.kind,
    name: String(r.name),
    dialect: String(r.dialect),
    source: String(r.source),
    start: nanosToIso(r.start_ns),
    // A span that ends before it starts (a clock step in the agent) is shown as taking no time; ?raw=1 keeps the truth.
    end: nanosToIso(BigInt(r.end_ns) < BigInt(r.start_ns) ? r.start_ns : r.end_ns),
    duration_ms: Math.max(0, Number(r.duration_ms)),
    status: r.status,
    agent: group(r, 'agent'),
    failures: r.failure_modes.map((mode, i) => ({ mode, severity: r.failure_severities[i], detector: r.failure_detectors[i], evidence: r.failure_evidence[i] })),
    children: [],
  };
  if (r.request_model || r.response_model || r.kind === 'llm') n.model = group(r, 'model');
  if (r.kind === 'llm' || r.kind === 'agent' || r.kind === 'subagent') n.usage = group(r, 'usage');
  if (r.finish_reason) n.finish_reason = String(r.finish_reason);
  if (r.tool_name || r.tool_call_id) n.tool = group(r, 'tool');
  if (r.status === 'error' || r.error_message) n.error = group(r, 'error');
  if (r.kind === 'compaction') n.compaction = group(r, 'compaction');
  const inMsgs = JSON.parse(r.input_messages) as unknown[];
  const outMsgs = JSON.parse(r.output_messages) as unknown[];
  const tools = JSON.parse(r.tools) as unknown[];
  if (inMsgs.length) n.input_messages = inMsgs;
  if (outMsgs.length) n.output_messages = outMsgs;
  if (tools.length) n.tools = tools;
  return n;
}

/** Nests operations under their parent span; a subagent's calls sit under the subagent record. */
export function buildTree(rows: OpRow[]): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  for (const r of rows) nodes.set(r.span_id, node(r));
  const subagentOf = new Map<string, TreeNode>();
  for (const n of nodes.values()) if (n.kind === 'subagent' && n.agent.id) subagentOf.set(String(n.agent.id), n);
  const roots: TreeNode[] = [];
  for (const n of nodes.values()) {
    let parent = n.parent_span_id ? nodes.get(n.parent_span_id) : undefined;
    // Claude Code's subagent calls hang off the Agent tool's span; show them inside their subagent record.
    const sub = n.kind !== 'subagent' && Number(n.agent.depth) > 0 ? subagentOf.get(String(n.agent.id)) : undefined;
    if (sub && sub !== n && (!parent || parent.kind !== 'subagent')) parent = sub;
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  nestCompactionCalls(roots);
  for (const r of roots) rollUpUsage(r);
  return roots;
}

const nanosOf = (iso: string) => iso.replace(/\.(\d{9})Z$/, '$1');

/**
 * A compaction summarizes the conversation with an LLM call of its own (Claude Code: query_source
 * `compact`), recorded as a sibling: an LLM call of the same agent inside the compaction's time is its own.
 */
function nestCompactionCalls(list: TreeNode[]): void {
  for (const c of list) {
    if (c.kind !== 'compaction') continue;
    const [from, to] = [nanosOf(c.start), nanosOf(c.end)];
    const own = list.filter((n) => n.kind === 'llm' && n.agent.id === c.agent.id && nanosOf(n.start) >= from && nanosOf(n.end) <= to);
    for (const n of own) {
      list.splice(list.indexOf(n), 1);
      c.children.push(n);
    }
  }
  for (const n of list) nestCompactionCalls(n.children);
}

const USAGE_KEYS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd'] as const;

/** An agent or subagent that reports no usage of its own gets the sum of the LLM calls under it. Returns the node's usage. */
function rollUpUsage(n: TreeNode): TreeNode['usage'] {
  const below = n.children.map(rollUpUsage).filter((u) => u !== undefined);
  if (!n.usage || (n.kind !== 'agent' && n.kind !== 'subagent')) return n.kind === 'llm' ? n.usage : sumUsage(below);
  if (USAGE_KEYS.every((k) => n.usage![k] === null)) {
    const sum = sumUsage(below);
    if (sum) n.usage = sum;
  }
  return n.usage;
}

function sumUsage(list: NonNullable<TreeNode['usage']>[]): TreeNode['usage'] {
  if (!list.length) return undefined;
  const out = Object.fromEntries(USAGE_KEYS.map((k) => [k, null])) as NonNullable<TreeNode['usage']>;
  // Usage fields are numbers or null (the operation's description says so); NodeGroup types them loosely.
  for (const u of list) for (const k of USAGE_KEYS) if (u[k] !== null) out[k] = ((out[k] as number | null) ?? 0) + (u[k] as number);
  return out;
}

async function summaries(store: Store, project: string, traceWhere: string, params: Record<string, unknown>, tail: string): Promise<Summary[]> {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${SUMMARY_SELECT} FROM operations FINAL
      WHERE project_id = {project:String} AND trace_id IN (SELECT trace_id FROM operations FINAL WHERE ${traceWhere})
      GROUP BY trace_id ${tail}`,
    { ...params, project },
    FINAL_SETTINGS,
  );
  return rows.map(summary);
}

export const traceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/traces',
    {
      schema: {
        summary: 'Trace summaries, newest first',
        description: 'A trace matches when any of its operations matches the filters; its summary covers all of its operations.',
        tags: ['traces'],
        querystring: TracesQuery,
        response: { 200: TracesResponse },
      },
    },
    async (req) => {
      const q = req.query;
      const project = projectOf(req);
      const where = operationsWhere(project, rangeOf(q), q);
      const params: Record<string, unknown> = { ...where.params, limit: q.limit + 1 };
      let sql = where.sql;
      if (q.session !== undefined) {
        sql += ' AND session_id = {session:String}';
        params.session = q.session;
      }
      const having: string[] = [];
      if (q.status === 'error') having.push('errors > 0');
      if (q.status === 'ok') having.push('errors = 0');
      if (q.cursor !== undefined) {
        const c = decodeCursor(q.cursor, [CURSOR_PARTS.nanos, CURSOR_PARTS.traceId]);
        having.push('(start_ns, trace_id) < (toInt64({cStart:String}), {cTrace:String})');
        Object.assign(params, { cStart: c[0], cTrace: c[1] });
      }
      // Two passes: the page's traces from the few columns that order and filter them, then the summaries of
      // only those (the trace id index skips the rest). Summing every matching trace first and keeping 51 took
      // 4x the engine time over 1M operations (bench/ui.ts).
      const rows = await app.store.query<Record<string, unknown>>(
        `SELECT ${SUMMARY_SELECT} FROM operations FINAL
          WHERE project_id = {project:String} AND trace_id IN (
            SELECT trace_id FROM (
              SELECT trace_id, min(toUnixTimestamp64Nano(start_time)) AS start_ns, countIf(status = 'error') AS errors FROM operations FINAL
               WHERE project_id = {project:String} AND trace_id IN (SELECT trace_id FROM operations FINAL WHERE ${sql})
               GROUP BY trace_id ${having.length ? `HAVING ${having.join(' AND ')}` : ''}
               ORDER BY start_ns DESC, trace_id DESC LIMIT {limit:UInt32}))
          GROUP BY trace_id
          ORDER BY start_ns DESC, trace_id DESC`,
        params,
        FINAL_SETTINGS,
      );
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        traces: page.map(summary),
        next_cursor: rows.length > q.limit && last ? encodeCursor([String(last.start_ns), String(last.trace_id)]) : null,
      };
    },
  );

  app.get(
    '/api/v1/traces/:traceId',
    {
      schema: {
        summary: 'One trace as a tree of operations',
        description: 'Subagents nested, compaction records in place, failures attached. raw=1 adds the stored spans as OTLP/JSON.',
        tags: ['traces'],
        params: TraceParams,
        querystring: TraceQuery,
        response: { 200: TraceResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const project = projectOf(req);
      const traceId = req.params.traceId;
      // The trace's time range (from the spans' index) narrows the partitions read.
      const [span] = await app.store.query<{ lo: string; hi: string }>(
        `SELECT toString(toDate32(min(start_time)) - 1) AS lo, toString(toDate32(max(end_time)) + 1) AS hi
           FROM trace_index WHERE project_id = {project:String} AND trace_id = {trace:String} HAVING count() > 0`,
        { project, trace: traceId },
      );
      const days = span ? ' AND day >= toDate32({lo:String}) AND day <= toDate32({hi:String})' : '';
      const params = { project, trace: traceId, ...(span ? { lo: span.lo, hi: span.hi } : {}) };
      const rows = await app.store.query<OpRow>(
        `SELECT *, toString(toUnixTimestamp64Nano(start_time)) AS start_ns, toString(toUnixTimestamp64Nano(end_time)) AS end_ns, duration_ms
           FROM operations FINAL WHERE project_id = {project:String} AND trace_id = {trace:String}${days}
          ORDER BY start_time, end_time, span_id`,
        params,
        FINAL_SETTINGS,
      );
      if (rows.length === 0) {
        throw new TracemillError('not_found', `traceId: no trace ${traceId} in this project (normalized records appear once a trace has settled, TRACEMILL_SETTLE_MS)`);
      }
      const [s] = await summaries(app.store, project, 'project_id = {project:String} AND trace_id = {trace:String}' + days, params, '');
      const failures = rows.flatMap((r) =>
        r.failure_modes.map((mode, i) => ({ span_id: r.span_id, mode, severity: r.failure_severities[i], detector: r.failure_detectors[i], evidence: r.failure_evidence[i] })),
      );
      const body: z.output<typeof TraceResponse> = { trace_id: traceId, summary: s, tree: buildTree(rows), failures };
      if (req.query.raw) {
        const spanDays = span ? ' AND toDate32(start_time) >= toDate32({lo:String}) AND toDate32(start_time) <= toDate32({hi:String})' : '';
        const raw = await app.store.query<RawSpanRow>(
          `SELECT ${RAW_SPAN_SELECT} FROM spans FINAL WHERE project_id = {project:String} AND trace_id = {trace:String}${spanDays} ORDER BY start_time, span_id`,
          params,
          FINAL_SETTINGS,
        );
        await restoreMessages(app.store, project, raw);
        body.raw = rowsToTracesRequest(raw);
      }
      return body;
    },
  );

  app.get(
    '/api/v1/sessions/:sessionId',
    {
      schema: {
        summary: 'The traces of one conversation, in order',
        tags: ['traces'],
        params: SessionParams,
        querystring: NoQuery,
        response: { 200: SessionResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const project = projectOf(req);
      const traces = await summaries(app.store, project, 'project_id = {project:String} AND session_id = {session:String}', { session: req.params.sessionId }, 'ORDER BY start_ns, trace_id');
      if (traces.length === 0) {
        throw new TracemillError('not_found', `sessionId: no session ${req.params.sessionId} in this project (normalized records appear once it has settled, TRACEMILL_SETTLE_MS)`);
      }
      return { session_id: req.params.sessionId, traces };
    },
  );
};
