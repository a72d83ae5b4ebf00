// GET /api/v1/traces, /api/v1/traces/:traceId and /api/v1/sessions/:sessionId.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Store } from '../../store/clickhouse.js';
import { RAW_SPAN_SELECT, type RawSpanRow, restoreMessages, rowsToTracesRequest } from '../../store/read/spans.js';
import { badRequest } from './errors.js';
import { nanosToIso } from './failures.js';
import { FINAL_SETTINGS, decodeCursor, encodeCursor, operationsWhere, rangeOf } from './filters.js';
import { projectOf } from './project.js';
import {
  ErrorResponse,
  SessionParams,
  SessionResponse,
  TraceParams,
  TraceQuery,
  TraceResponse,
  type TraceSummary,
  TracesQuery,
  TracesResponse,
  type TreeNode,
} from './schemas.js';


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

interface OpRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  kind: string;
  name: string;
  dialect: string;
  source: string;
  start_ns: string;
  end_ns: string;
  duration_ms: number;
  status: string;
  agent_name: string;
  agent_id: string;
  parent_agent_id: string;
  depth: number;
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
  error_type: string;
  error_message: string;
  input_messages: string;
  output_messages: string;
  tools: string;
  compaction_trigger: string;
  compaction_tokens_before: string | null;
  compaction_tokens_after: string | null;
  compaction_estimated: number;
  failure_modes: string[];
  failure_severities: string[];
  failure_detectors: string[];
  failure_evidence: string[];
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

function node(r: OpRow): TreeNode {
  const n: TreeNode = {
    span_id: r.span_id,
    parent_span_id: r.parent_span_id,
    kind: r.kind,
    name: r.name,
    dialect: r.dialect,
    source: r.source,
    start: nanosToIso(r.start_ns),
    end: nanosToIso(r.end_ns),
    duration_ms: Number(r.duration_ms),
    status: r.status,
    agent: { name: r.agent_name, id: r.agent_id, parent_id: r.parent_agent_id, depth: Number(r.depth) },
    failures: r.failure_modes.map((mode, i) => ({ mode, severity: r.failure_severities[i], detector: r.failure_detectors[i], evidence: r.failure_evidence[i] })),
    children: [],
  };
  if (r.request_model || r.response_model || r.kind === 'llm') n.model = { request: r.request_model, response: r.response_model, provider: r.provider };
  if (r.kind === 'llm' || r.kind === 'agent' || r.kind === 'subagent') {
    n.usage = {
      input_tokens: num(r.input_tokens),
      output_tokens: num(r.output_tokens),
      cache_read_tokens: num(r.cache_read_tokens),
      cache_write_tokens: num(r.cache_write_tokens),
      reasoning_tokens: num(r.reasoning_tokens),
      cost_usd: num(r.cost_usd),
    };
  }
  if (r.finish_reason) n.finish_reason = r.finish_reason;
  if (r.tool_name || r.tool_call_id) n.tool = { name: r.tool_name, call_id: r.tool_call_id, arguments: r.tool_arguments, result: r.tool_result };
  if (r.status === 'error' || r.error_message) n.error = { type: r.error_type, message: r.error_message };
  if (r.kind === 'compaction') {
    n.compaction = {
      trigger: r.compaction_trigger,
      tokens_before: num(r.compaction_tokens_before),
      tokens_after: num(r.compaction_tokens_after),
      estimated: Number(r.compaction_estimated) === 1,
    };
  }
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
  for (const n of nodes.values()) if (n.kind === 'subagent' && n.agent.id) subagentOf.set(n.agent.id, n);
  const roots: TreeNode[] = [];
  for (const n of nodes.values()) {
    let parent = n.parent_span_id ? nodes.get(n.parent_span_id) : undefined;
    // Claude Code's subagent calls hang off the Agent tool's span; show them inside their subagent record.
    const sub = n.kind !== 'subagent' && n.agent.depth > 0 ? subagentOf.get(n.agent.id) : undefined;
    if (sub && sub !== n && (!parent || parent.kind !== 'subagent')) parent = sub;
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  return roots;
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
        const c = decodeCursor(q.cursor, ['string', 'string']);
        if (!c) throw badRequest('cursor', 'is not a cursor this API returned');
        having.push('(start_ns, trace_id) < (toInt64({cStart:String}), {cTrace:String})');
        Object.assign(params, { cStart: c[0], cTrace: c[1] });
      }
      const rows = await app.store.query<Record<string, unknown>>(
        `SELECT ${SUMMARY_SELECT} FROM operations FINAL
          WHERE project_id = {project:String} AND trace_id IN (SELECT trace_id FROM operations FINAL WHERE ${sql})
          GROUP BY trace_id ${having.length ? `HAVING ${having.join(' AND ')}` : ''}
          ORDER BY start_ns DESC, trace_id DESC LIMIT {limit:UInt32}`,
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
    async (req, reply) => {
      const project = projectOf(req);
      const traceId = req.params.traceId;
      // The trace's time range (from the spans' index) narrows the partitions read.
      const [span] = await app.store.query<{ lo: string; hi: string }>(
        `SELECT toString(toDate(min(start_time)) - 1) AS lo, toString(toDate(max(end_time)) + 1) AS hi
           FROM trace_index WHERE project_id = {project:String} AND trace_id = {trace:String} HAVING count() > 0`,
        { project, trace: traceId },
      );
      const days = span ? ' AND day >= toDate({lo:String}) AND day <= toDate({hi:String})' : '';
      const params = { project, trace: traceId, ...(span ? { lo: span.lo, hi: span.hi } : {}) };
      const rows = await app.store.query<OpRow>(
        `SELECT *, toString(toUnixTimestamp64Nano(start_time)) AS start_ns, toString(toUnixTimestamp64Nano(end_time)) AS end_ns, duration_ms
           FROM operations FINAL WHERE project_id = {project:String} AND trace_id = {trace:String}${days}
          ORDER BY start_time, end_time, span_id`,
        params,
        FINAL_SETTINGS,
      );
      if (rows.length === 0) {
        return reply.code(404).send({ error: 'not_found', message: `no trace ${traceId} in this project (normalized records appear once a trace has settled, TRACEMILL_SETTLE_MS)` });
      }
      const [s] = await summaries(app.store, project, 'project_id = {project:String} AND trace_id = {trace:String}' + days, params, '');
      const failures = rows.flatMap((r) =>
        r.failure_modes.map((mode, i) => ({ span_id: r.span_id, mode, severity: r.failure_severities[i], detector: r.failure_detectors[i], evidence: r.failure_evidence[i] })),
      );
      const body: z.output<typeof TraceResponse> = { trace_id: traceId, summary: s, tree: buildTree(rows), failures };
      if (req.query.raw) {
        const spanDays = span ? ' AND toDate(start_time) >= toDate({lo:String}) AND toDate(start_time) <= toDate({hi:String})' : '';
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
        response: { 200: SessionResponse },
      },
    },
    async (req) => {
      const project = projectOf(req);
      const traces = await summaries(app.store, project, 'project_id = {project:String} AND session_id = {session:String}', { session: req.params.sessionId }, 'ORDER BY start_ns, trace_id');
      return { session_id: req.params.sessionId, traces };
    },
  );
};
