// Query API parameters and responses: the single source for validation, types and the OpenAPI document.
import { z } from 'zod';
import { FAILURE_MODES } from '../../model/failure.js';
import { type FieldGroup, type FieldMeta, fieldType, groupFields } from '../../model/operation.js';
import { TimeParam } from '../../time.js';

export const GROUP_KEYS = ['mode', 'tool', 'model', 'agent', 'service', 'day', 'hour', 'harness'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

/** `a,b` or repeated `?x=a&x=b`, as a list. */
function list<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item));
}

// Strict objects: a parameter the endpoint does not take is a 400 naming it, not silently ignored.
export const Filters = z.strictObject({
  from: TimeParam.optional().meta({ description: 'Start of the range (inclusive): ISO-8601 or a duration ago (24h, 7d). Default: 24h.' }),
  to: TimeParam.optional().meta({ description: 'End of the range (exclusive): ISO-8601 or a duration ago. Default: now.' }),
  service: z.string().max(256).optional().meta({ description: 'service.name of the agent' }),
  agent: z.string().max(256).optional().meta({ description: 'Agent name (subagents have their own)' }),
  model: z.string().max(256).optional().meta({ description: 'Requested or responded model' }),
  tool: z.string().max(256).optional().meta({ description: 'Tool name' }),
  mode: z.enum(FAILURE_MODES).optional().meta({ description: 'Failure mode (docs/failure-modes.md)' }),
});
export type Filters = z.output<typeof Filters>;

export const FailureStatsQuery = Filters.extend({
  group_by: list(z.enum(GROUP_KEYS))
    .optional()
    .meta({ description: `One or more of ${GROUP_KEYS.join(', ')}, comma-separated. Default: mode.` }),
  compare: z.enum(['previous']).optional().meta({ description: 'previous: add the same figures for the period just before, and the change' }),
});

const Figures = z.object({
  runs: z.number().int().meta({ description: 'Distinct traces (agent runs)' }),
  calls: z.number().int().meta({ description: 'LLM, tool and subagent calls' }),
  failures: z.number().int().meta({ description: 'Failure instances' }),
  failure_rate: z.number().meta({ description: 'failures / calls (0 when there are no calls)' }),
});

const StatsRow = Figures.extend({
  mode: z.string().optional(),
  tool: z.string().optional(),
  model: z.string().optional(),
  agent: z.string().optional(),
  service: z.string().optional(),
  day: z.string().optional(),
  hour: z.string().optional(),
  harness: z.string().optional().meta({ description: 'The run\'s TRACEMILL_HARNESS_ATTRIBUTES values joined by @ (default service.name@service.version)' }),
  previous: Figures.optional(),
  change: z.object({ failures: z.number().int(), failure_rate: z.number() }).optional(),
});

/** How fresh statistics are: normalized operations trail ingest by the settle time and any backlog. */
export const Freshness = z
  .object({
    settled_through: z.string().meta({ description: 'Data ingested before this time (ISO-8601) is in these figures; later data may not be yet (TRACEMILL_SETTLE_MS plus any backlog). As seen by the replica that answered.' }),
    pending_groups: z.number().int().meta({ description: 'Conversations or traces waiting to be normalized on the replica that answered' }),
  })
  .meta({ description: 'How fresh the figures are' });

export const FailureStatsResponse = z.object({
  freshness: Freshness,
  from: z.string(),
  to: z.string(),
  group_by: z.array(z.enum(GROUP_KEYS)),
  rows: z.array(StatsRow),
  totals: Figures.extend({ previous: Figures.optional() }),
});

const Cursor = z.string().max(512).optional().meta({ description: 'next_cursor of the previous page' });
/** Decimal digits only: `1e2` and `0x10` are not page sizes. */
export const Limit = (max: number, def: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .default(def)
    .meta({ description: `Page size (1-${max}, default ${def})` });

export const FailuresQuery = Filters.extend({ limit: Limit(1000, 100), cursor: Cursor });

export const FailureInstance = z.object({
  time: z.string(),
  trace_id: z.string(),
  span_id: z.string(),
  session_id: z.string(),
  mode: z.string(),
  severity: z.string(),
  detector: z.string(),
  evidence: z.string(),
  kind: z.string(),
  agent: z.string(),
  tool: z.string(),
  model: z.string(),
  service: z.string(),
});

export const FailuresResponse = z.object({ failures: z.array(FailureInstance), next_cursor: z.string().nullable() });

export const ToolStatsResponse = z.object({
  freshness: Freshness,
  tools: z.array(
    z.object({
      tool: z.string(),
      calls: z.number().int(),
      errors: z.number().int(),
      error_rate: z.number(),
      p50_ms: z.number(),
      p95_ms: z.number(),
      p99_ms: z.number(),
      repeated_calls: z.number().int().meta({ description: 'Calls flagged repeated_tool_call (same tool, same arguments, same run)' }),
    }),
  ),
});

export const ModelStatsResponse = z.object({
  freshness: Freshness,
  models: z.array(
    z.object({
      model: z.string(),
      provider: z.string(),
      calls: z.number().int(),
      input_tokens: z.number().int(),
      output_tokens: z.number().int(),
      cache_read_tokens: z.number().int(),
      cache_write_tokens: z.number().int(),
      reasoning_tokens: z.number().int(),
      cost_usd: z.number().nullable().meta({ description: 'Cost the agent reported (tracemill prices nothing); null when no call reported one' }),
      errors: z.number().int(),
      finish_reasons: z.record(z.string(), z.number().int()),
    }),
  ),
});

export const TracesQuery = Filters.extend({
  session: z.string().max(512).optional().meta({ description: 'Only traces of this session / conversation' }),
  status: z.enum(['error', 'ok']).optional().meta({ description: 'error: traces with at least one failed operation' }),
  limit: Limit(500, 50),
  cursor: Cursor,
});

export const TraceSummary = z.object({
  trace_id: z.string(),
  session_id: z.string(),
  root_name: z.string(),
  agent: z.string(),
  service: z.string(),
  start: z.string(),
  duration_ms: z.number(),
  operations: z.number().int(),
  llm_calls: z.number().int(),
  tool_calls: z.number().int(),
  subagents: z.number().int(),
  errors: z.number().int(),
  failure_modes: z.array(z.string()),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number().nullable().meta({ description: 'Reported cost of the LLM calls; null when none reported one' }),
});

export const TracesResponse = z.object({ traces: z.array(TraceSummary), next_cursor: z.string().nullable() });

export const TraceParams = z.object({ traceId: z.string().regex(/^[0-9a-f]{32}$/, 'a trace id is 32 lowercase hex characters') });
export const TraceQuery = z.strictObject({
  raw: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true')
    .meta({ description: '1: include the raw spans as OTLP/JSON (resourceSpans)' }),
});

export const Failure = z.object({ mode: z.string(), severity: z.string(), detector: z.string(), evidence: z.string() });

/** A field of a node group as the API shows it: text, a number (null when unknown), a whole number, a flag. */
function apiType(schema: z.ZodType): z.ZodType {
  const { type, nullable } = fieldType(schema);
  if (type === 'number') return nullable ? z.number().nullable() : z.number().int();
  if (type === 'boolean') return z.boolean();
  return z.string();
}

/** The API name of a field inside its group (default: its column). */
export function apiName(meta: FieldMeta): string {
  return meta.api ?? meta.column;
}

/** A tree node group (agent, model, usage, tool, error, compaction), from the operation's description. */
function nodeGroup(group: FieldGroup) {
  return z.object(Object.fromEntries(groupFields(group).map((f) => [apiName(f.meta), apiType(f.schema)])));
}

/** A group's values: field API name -> value. */
export type NodeGroup = Record<string, string | number | boolean | null>;

export interface TreeNode {
  span_id: string;
  parent_span_id: string;
  kind: string;
  name: string;
  dialect: string;
  source: string;
  start: string;
  end: string;
  duration_ms: number;
  status: string;
  agent: NodeGroup;
  model?: NodeGroup;
  usage?: NodeGroup;
  finish_reason?: string;
  tool?: NodeGroup;
  error?: NodeGroup;
  compaction?: NodeGroup;
  input_messages?: unknown[];
  output_messages?: unknown[];
  tools?: unknown[];
  failures: z.output<typeof Failure>[];
  children: TreeNode[];
}

export const Node: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({
    span_id: z.string(),
    parent_span_id: z.string(),
    kind: z.string(),
    name: z.string(),
    dialect: z.string(),
    source: z.string(),
    start: z.string(),
    end: z.string(),
    duration_ms: z.number(),
    status: z.string(),
    agent: nodeGroup('agent'),
    model: nodeGroup('model').optional(),
    usage: nodeGroup('usage').optional(),
    finish_reason: z.string().optional(),
    tool: nodeGroup('tool').optional(),
    error: nodeGroup('error').optional(),
    compaction: nodeGroup('compaction').optional(),
    input_messages: z.array(z.unknown()).optional(),
    output_messages: z.array(z.unknown()).optional(),
    tools: z.array(z.unknown()).optional(),
    failures: z.array(Failure),
    children: z.array(Node),
  }),
) as z.ZodType<TreeNode>;

export const TraceResponse = z.object({
  trace_id: z.string(),
  summary: TraceSummary,
  /** Roots of the operation tree (usually one: the agent run). */
  tree: z.array(Node),
  failures: z.array(Failure.extend({ span_id: z.string() })),
  raw: z.object({ resourceSpans: z.array(z.unknown()) }).optional(),
});

export const SessionParams = z.object({ sessionId: z.string().min(1).max(512) });
/** No parameters: an unknown one is a 400. */
export const NoQuery = z.strictObject({});
export const SessionResponse = z.object({ session_id: z.string(), traces: z.array(TraceSummary) });

export const ErrorResponse = z.object({ error: z.string(), message: z.string() });
