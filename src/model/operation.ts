// The normalized agent model: one Operation per meaningful step, whatever dialect produced it.
//
// OperationSchema is the one description of an operation. Each field carries, in OPERATION_FIELDS, the column
// it is stored in (schemas/clickhouse/003_operations.sql) and, where the query API shows it inside a group, the
// group and its name there. The TypeScript type, emptyOperation, the field groups normalization works with
// (combine.ts, rules.ts), the store's columns and encoder (src/store/rows/operations.ts) and the API's tree
// node (src/api/query/schemas.ts) are all derived from it: a new field is one line here (and a migration).
import { z } from 'zod';

export const OPERATION_KINDS = ['agent', 'subagent', 'llm', 'tool', 'compaction', 'handoff', 'retrieval', 'guardrail', 'other'] as const;
export const OperationKindSchema = z.enum(OPERATION_KINDS);
export type OperationKind = z.infer<typeof OperationKindSchema>;

export const ChatPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('reasoning'), text: z.string() }),
  z.object({ type: z.literal('tool_call'), id: z.string(), name: z.string(), arguments: z.string() }),
  z.object({ type: z.literal('tool_result'), id: z.string(), name: z.string().optional(), content: z.string(), isError: z.boolean().optional() }),
  z.object({ type: z.literal('media'), mimeType: z.string(), uri: z.string().optional(), data: z.string().optional() }),
]);
export type ChatPart = z.infer<typeof ChatPartSchema>;

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  parts: z.array(ChatPartSchema),
  name: z.string().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ToolDefinitionSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  /** JSON Schema of the arguments, when the dialect declares it. */
  parameters: z.unknown().optional(),
});
export type ToolDefinition = z.infer<typeof ToolDefinitionSchema>;

/** The query API's groups of a tree node (`agent: { name, id, ... }`, `usage: { input_tokens, ... }`, ...). */
export type FieldGroup = 'agent' | 'model' | 'usage' | 'tool' | 'error' | 'compaction';

/**
 * What the rest of tracemill needs to know of a field.
 * - `column`: its column in the operations table (a compaction's fields: `compaction_<column>`).
 * - `group`, `api`: the tree node group it is shown in and its name there (default: the column).
 * - `fill`: combining two records of one operation (combine.ts), an empty value is taken from the other record.
 * - `rule`: user rules (rules.ts) may set it, under the camelCase of its column (`compactionTrigger`).
 * - `unit`: `nanos`: a decimal count of nanoseconds since the epoch; `count`: a count (tokens), a whole
 *   number >= 0 by contract, null when unknown.
 */
export interface FieldMeta {
  column: string;
  unit?: 'nanos' | 'count';
  group?: FieldGroup;
  api?: string;
  fill?: true;
  rule?: true;
}

export const OPERATION_FIELDS = z.registry<FieldMeta>();

const text = (meta: FieldMeta) => z.string().default('').register(OPERATION_FIELDS, meta);
const amount = (meta: FieldMeta) => z.number().nullable().default(null).register(OPERATION_FIELDS, meta);
const tokens = (meta: FieldMeta) => amount({ ...meta, unit: 'count' });
const nanos = (column: string) => z.string().default('0').register(OPERATION_FIELDS, { column, unit: 'nanos' });

export const CompactionSchema = z.object({
  trigger: z.string().register(OPERATION_FIELDS, { column: 'trigger', group: 'compaction', rule: true }), // 'auto' | 'manual' | 'unknown' ...
  tokensBefore: z.number().nullable().register(OPERATION_FIELDS, { column: 'tokens_before', group: 'compaction', rule: true, unit: 'count' }),
  tokensAfter: z.number().nullable().register(OPERATION_FIELDS, { column: 'tokens_after', group: 'compaction', rule: true, unit: 'count' }),
  /**
   * True when trigger/tokens were inferred (e.g. from a `query_source=compact` LLM request and the calls
   * around it) rather than reported by the agent; a reported record always wins over an estimated one.
   */
  estimated: z.boolean().register(OPERATION_FIELDS, { column: 'estimated', group: 'compaction' }),
});
export type Compaction = z.infer<typeof CompactionSchema>;

export const OperationSchema = z.object({
  kind: z.enum(OPERATION_KINDS).register(OPERATION_FIELDS, { column: 'kind' }),
  /** Which dialect module (or user rule) produced it. */
  dialect: z.string().register(OPERATION_FIELDS, { column: 'dialect' }),
  /** Where it came from: a span, a log event, or both merged. */
  source: z.enum(['span', 'log', 'span+log']).default('span').register(OPERATION_FIELDS, { column: 'source' }),
  traceId: text({ column: 'trace_id' }),
  /** The span's id; for log-only operations a stable id derived from the event (see normalize/ids.ts). */
  spanId: text({ column: 'span_id' }),
  parentSpanId: text({ column: 'parent_span_id' }),
  name: text({ column: 'name', fill: true, rule: true }),
  startTimeUnixNano: nanos('start_time'),
  endTimeUnixNano: nanos('end_time'),
  serviceName: text({ column: 'service_name', fill: true }),

  agentName: text({ column: 'agent_name', group: 'agent', api: 'name', fill: true, rule: true }),
  agentId: text({ column: 'agent_id', group: 'agent', api: 'id', fill: true, rule: true }),
  parentAgentId: text({ column: 'parent_agent_id', group: 'agent', api: 'parent_id', fill: true, rule: true }),
  /** 0 for the main agent, 1 for a subagent it spawned, ... */
  depth: z.number().int().default(0).register(OPERATION_FIELDS, { column: 'depth', group: 'agent' }),
  sessionId: text({ column: 'session_id', fill: true, rule: true }),
  userId: text({ column: 'user_id', fill: true, rule: true }),

  requestModel: text({ column: 'request_model', group: 'model', api: 'request', fill: true, rule: true }),
  responseModel: text({ column: 'response_model', group: 'model', api: 'response', fill: true, rule: true }),
  provider: text({ column: 'provider', group: 'model', fill: true, rule: true }),
  /** Prompt tokens INCLUDING cache reads/writes (the semconv convention; Anthropic-raw dialects are converted). */
  inputTokens: tokens({ column: 'input_tokens', group: 'usage', fill: true, rule: true }),
  outputTokens: tokens({ column: 'output_tokens', group: 'usage', fill: true, rule: true }),
  cacheReadTokens: tokens({ column: 'cache_read_tokens', group: 'usage', fill: true, rule: true }),
  cacheWriteTokens: tokens({ column: 'cache_write_tokens', group: 'usage', fill: true, rule: true }),
  reasoningTokens: tokens({ column: 'reasoning_tokens', group: 'usage', fill: true, rule: true }),
  costUsd: amount({ column: 'cost_usd', group: 'usage', fill: true, rule: true }),
  finishReason: text({ column: 'finish_reason', fill: true, rule: true }),

  toolName: text({ column: 'tool_name', group: 'tool', api: 'name', fill: true, rule: true }),
  toolCallId: text({ column: 'tool_call_id', group: 'tool', api: 'call_id', fill: true, rule: true }),
  /** Tool arguments as sent (JSON text when the dialect has JSON). */
  toolArguments: text({ column: 'tool_arguments', group: 'tool', api: 'arguments', rule: true }),
  toolResult: text({ column: 'tool_result', group: 'tool', api: 'result', rule: true }),

  status: z.enum(['ok', 'error', 'unset']).default('unset').register(OPERATION_FIELDS, { column: 'status' }),
  errorType: text({ column: 'error_type', group: 'error', api: 'type', rule: true }),
  errorMessage: text({ column: 'error_message', group: 'error', api: 'message', rule: true }),

  inputMessages: z.array(ChatMessageSchema).default([]).register(OPERATION_FIELDS, { column: 'input_messages' }),
  outputMessages: z.array(ChatMessageSchema).default([]).register(OPERATION_FIELDS, { column: 'output_messages' }),
  tools: z.array(ToolDefinitionSchema).default([]).register(OPERATION_FIELDS, { column: 'tools' }),
  compaction: CompactionSchema.nullable().default(null).register(OPERATION_FIELDS, { column: 'compaction' }),
  /** Correlation keys used to merge spans with log events (request id, tool_use id, prompt id ...). */
  requestId: text({ column: 'request_id', fill: true, rule: true }),
});
export type Operation = z.output<typeof OperationSchema>;

/** The fields of `shape` whose FieldMeta passes `test`, in schema order. */
export function fieldsWhere<S extends Record<string, z.ZodType>>(shape: S, test: (m: FieldMeta) => boolean): (keyof S & string)[] {
  return Object.keys(shape).filter((k) => {
    const m = OPERATION_FIELDS.get(shape[k]);
    return m !== undefined && test(m);
  });
}

/** FieldMeta of a field of the operation (or of its compaction). */
export function fieldMeta(schema: z.ZodType): FieldMeta {
  const m = OPERATION_FIELDS.get(schema);
  if (!m) throw new Error('an operation field without FieldMeta');
  return m;
}

/** The fields whose type is exactly T. */
/** A field's zod type under default() and nullable(): 'string', 'enum', 'number', 'boolean', 'array', 'object'. */
export function fieldType(schema: z.ZodType): { type: string; nullable: boolean } {
  let s = schema;
  let nullable = false;
  for (;;) {
    const def = s.def as { type: string; innerType?: z.ZodType };
    if (def.type === 'nullable') nullable = true;
    else if (def.type !== 'default') return { type: def.type, nullable };
    s = def.innerType!;
  }
}

/** The fields of a tree-node group, in schema order (the compaction group: the compaction's fields). */
export function groupFields(group: FieldGroup): { key: string; schema: z.ZodType; meta: FieldMeta }[] {
  const shape: Record<string, z.ZodType> = group === 'compaction' ? CompactionSchema.shape : OperationSchema.shape;
  return fieldsWhere(shape, (m) => m.group === group).map((key) => ({ key, schema: shape[key], meta: fieldMeta(shape[key]) }));
}

type KeyOf<T> = { [K in keyof Operation]: [Operation[K]] extends [T] ? ([T] extends [Operation[K]] ? K : never) : never }[keyof Operation];

/** Text fields that combining two records of one operation fills from the other record when empty. */
export const FILL_TEXT_FIELDS = fieldsWhere(OperationSchema.shape, (m) => m.fill === true && m.group !== 'usage') as KeyOf<string>[];
/** Token counts and cost, which combining fills from the other record when unknown. */
export const FILL_NUMBER_FIELDS = fieldsWhere(OperationSchema.shape, (m) => m.fill === true && m.group === 'usage') as KeyOf<number | null>[];

const DEFAULTS: Operation = OperationSchema.parse({ kind: 'other', dialect: '' });
const ARRAY_FIELDS = (Object.keys(DEFAULTS) as (keyof Operation)[]).filter((k) => Array.isArray(DEFAULTS[k]));

export function emptyOperation(init: Partial<Operation> & Pick<Operation, 'kind' | 'dialect'>): Operation {
  const op: Operation = { ...DEFAULTS, ...init };
  // Each operation its own lists: normalizers push into them.
  for (const k of ARRAY_FIELDS) if (op[k] === DEFAULTS[k]) (op as unknown as Record<string, unknown[]>)[k] = [];
  return op;
}
