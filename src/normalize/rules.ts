// User rules: a team's own harness conventions (span names, attribute keys, log event names) mapped to
// operation kinds and fields without code. Loaded from TRACEMILL_RULES (JSON or YAML; the caller reads the
// file, this module only parses text), validated with zod, and checked before the built-in dialects.
// A matching rule produces the operation; the generic gen_ai.* pass then fills what the rule left out.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Attributes, LogRecord, Span } from '../model/otlp.js';
import { eventIdentity, logBody, logOp, spanOp } from './base.js';
import { normalizeFinishReason } from './genai.js';
import { toChatMessages, toToolDefinitions } from './messages.js';
import { CompactionSchema, type FieldMeta, OPERATION_KINDS, type Operation, OperationSchema, fieldsWhere } from '../model/operation.js';
import { has, structured, str, toBool, toNumber, toText } from './values.js';


/**
 * Where a field's value comes from: an attribute key, a list of keys (first present wins), a constant,
 * or one of `$name` (span name / event name), `$body` (log body), `$scope`, `$service`.
 */
export const FieldSourceSchema = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).min(1),
  z.strictObject({ const: z.union([z.string(), z.number(), z.boolean()]) }),
], { error: 'must be an attribute key, a list of keys, or { const: value }' });

// The fields a rule may set, from the operation's description: its own text and numeric fields, and the
// compaction's under `compaction<Field>` (compactionTrigger, compactionTokensBefore, ...).
const isRuleField = (m: FieldMeta) => m.rule === true;
const compactionField = (k: string) => 'compaction' + k[0].toUpperCase() + k.slice(1);
const RULE_TEXT = fieldsWhere(OperationSchema.shape, (m) => isRuleField(m) && m.group !== 'usage') as RuleTextField[];
const RULE_NUMBERS = fieldsWhere(OperationSchema.shape, (m) => isRuleField(m) && m.group === 'usage') as RuleNumberField[];
const COMPACTION_TEXT = fieldsWhere(CompactionSchema.shape, (m) => isRuleField(m)).filter((k) => k === 'trigger');
const COMPACTION_NUMBERS = fieldsWhere(CompactionSchema.shape, (m) => isRuleField(m)).filter((k) => k !== 'trigger') as ('tokensBefore' | 'tokensAfter')[];
type RuleTextField = Exclude<{ [K in keyof Operation]: Operation[K] extends string ? K : never }[keyof Operation], 'kind' | 'source' | 'status'>;
type RuleNumberField = { [K in keyof Operation]: Operation[K] extends number | null ? (null extends Operation[K] ? K : never) : never }[keyof Operation];
const STRING_FIELDS = [...RULE_TEXT, ...COMPACTION_TEXT.map(compactionField)];
const NUMBER_FIELDS = [...RULE_NUMBERS, ...COMPACTION_NUMBERS.map(compactionField)];
const OTHER_FIELDS = ['inputMessages', 'outputMessages', 'tools', 'success'] as const;

const fieldShape: Record<string, z.ZodOptional<typeof FieldSourceSchema>> = {};
for (const f of [...STRING_FIELDS, ...NUMBER_FIELDS, ...OTHER_FIELDS]) fieldShape[f] = FieldSourceSchema.optional();

export const RuleFieldsSchema = z.strictObject(fieldShape).describe(
  'Operation field -> where to read it. Messages accept any supported message shape; `success: false` marks an error.',
);

function validRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

export const RuleMatchSchema = z
  .strictObject({
    /** `span` (default) or `log`. */
    signal: z.enum(['span', 'log']).default('span'),
    /** Exact span name (spans) or event name (logs). */
    name: z.string().min(1).optional(),
    namePrefix: z.string().min(1).optional(),
    nameRegex: z.string().min(1).refine(validRegex, { error: 'not a valid regular expression' }).optional(),
    scope: z.string().min(1).optional(),
    service: z.string().min(1).optional(),
    /** attribute key -> exact value, or `true` for "present with any value". */
    attributes: z.record(z.string().min(1), z.union([z.string(), z.literal(true)])).optional(),
  })
  .refine((m) => m.name || m.namePrefix || m.nameRegex || m.scope || m.service || (m.attributes && Object.keys(m.attributes).length), {
    error: 'needs at least one condition (name, namePrefix, nameRegex, scope, service or attributes)',
  });

export const RuleSchema = z.strictObject({
  name: z.string().min(1).optional(),
  match: RuleMatchSchema,
  kind: z.enum(OPERATION_KINDS),
  fields: RuleFieldsSchema.default({}),
});

export const RulesFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  rules: z.array(RuleSchema),
});

export type Rule = z.infer<typeof RuleSchema>;
type FieldSource = z.infer<typeof FieldSourceSchema>;

export interface CompiledRule {
  /** The operation's dialect: `rule:<name>` or `rule:<index>`. */
  dialect: string;
  rule: Rule;
  regex?: RegExp;
}

export interface Rules {
  spans: CompiledRule[];
  logs: CompiledRule[];
}

export interface RuleIssue {
  /** Index of the rule in `rules`, or null for problems with the file itself. */
  rule: number | null;
  ruleName?: string;
  /** Dotted path inside the rule (e.g. `match.nameRegex`, `fields.inputTokens`). */
  field: string;
  message: string;
}

export class RulesError extends Error {
  constructor(
    readonly issues: RuleIssue[],
    source = 'rules',
  ) {
    super(`${source}: ${issues.map(formatIssue).join('; ')}`);
    this.name = 'RulesError';
  }
}

function formatIssue(i: RuleIssue): string {
  const where = i.rule === null ? i.field || '(file)' : `rule ${i.rule}${i.ruleName ? ` "${i.ruleName}"` : ''}${i.field ? ` ${i.field}` : ''}`;
  return `${where}: ${i.message}`;
}

/** Parses and validates a rules file (JSON, or YAML when it does not look like JSON or `format` says so). */
export function parseRules(text: string, opts: { format?: 'json' | 'yaml'; source?: string } = {}): Rules {
  const source = opts.source ?? 'rules';
  const format = opts.format ?? (text.trimStart().startsWith('{') ? 'json' : 'yaml');
  let doc: unknown;
  try {
    doc = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new RulesError([{ rule: null, field: '', message: `not valid ${format.toUpperCase()}: ${(e as Error).message}` }], source);
  }
  return compileRules(doc, source);
}

/** Validates an already-parsed rules document and compiles it. */
export function compileRules(doc: unknown, source = 'rules'): Rules {
  const r = RulesFileSchema.safeParse(doc ?? {});
  if (!r.success) {
    const raw = (doc as { rules?: unknown })?.rules;
    const issues: RuleIssue[] = r.error.issues.map((iss) => {
      const path = [...iss.path];
      if (iss.code === 'unrecognized_keys') path.push(iss.keys.join(','));
      if (path[0] === 'rules' && typeof path[1] === 'number') {
        const idx = path[1];
        const named = Array.isArray(raw) ? (raw[idx] as { name?: unknown } | undefined)?.name : undefined;
        return { rule: idx, ruleName: typeof named === 'string' ? named : undefined, field: path.slice(2).join('.'), message: iss.message };
      }
      return { rule: null, field: path.join('.'), message: iss.message };
    });
    throw new RulesError(issues, source);
  }
  const out: Rules = { spans: [], logs: [] };
  r.data.rules.forEach((rule, i) => {
    const c: CompiledRule = { dialect: `rule:${rule.name ?? i}`, rule };
    if (rule.match.nameRegex) c.regex = new RegExp(rule.match.nameRegex);
    (rule.match.signal === 'log' ? out.logs : out.spans).push(c);
  });
  return out;
}


// ---------- applying ----------

interface Subject {
  name: string;
  scope: string;
  service: string;
  attributes: Attributes;
  body?: unknown;
}

function matches(c: CompiledRule, s: Subject): boolean {
  const m = c.rule.match;
  if (m.name !== undefined && s.name !== m.name) return false;
  if (m.namePrefix !== undefined && !s.name.startsWith(m.namePrefix)) return false;
  if (c.regex && !c.regex.test(s.name)) return false;
  if (m.scope !== undefined && s.scope !== m.scope) return false;
  if (m.service !== undefined && s.service !== m.service) return false;
  if (m.attributes) {
    for (const k in m.attributes) {
      const want = m.attributes[k];
      if (want === true ? !has(s.attributes, k) : str(s.attributes, k) !== want) return false;
    }
  }
  return true;
}

function read(src: FieldSource, s: Subject): unknown {
  if (typeof src === 'object' && !Array.isArray(src)) return src.const;
  for (const key of Array.isArray(src) ? src : [src]) {
    let v: unknown;
    if (key === '$name') v = s.name;
    else if (key === '$body') v = s.body;
    else if (key === '$scope') v = s.scope;
    else if (key === '$service') v = s.service;
    else if (has(s.attributes, key)) v = structured(s.attributes, key);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function applyFields(op: Operation, c: CompiledRule, s: Subject): void {
  const f = c.rule.fields as Record<string, FieldSource | undefined>;
  const value = (k: string) => (f[k] ? read(f[k], s) : undefined);
  for (const k of RULE_TEXT) {
    const v = value(k);
    if (v === undefined) continue;
    const text = toText(v);
    op[k] = k === 'finishReason' ? normalizeFinishReason(text) : text;
  }
  for (const k of COMPACTION_TEXT) {
    const v = value(compactionField(k));
    if (v !== undefined) compaction(op)[k] = toText(v);
  }
  for (const k of RULE_NUMBERS) {
    const n = f[k] ? toNumber(value(k)) : null;
    if (n !== null) op[k] = n;
  }
  for (const k of COMPACTION_NUMBERS) {
    const n = f[compactionField(k)] ? toNumber(value(compactionField(k))) : null;
    if (n !== null) compaction(op)[k] = n;
  }
  if (f.inputMessages) op.inputMessages = toChatMessages(read(f.inputMessages, s));
  if (f.outputMessages) op.outputMessages = toChatMessages(read(f.outputMessages, s), { defaultRole: 'assistant' });
  if (f.tools) op.tools = toToolDefinitions(read(f.tools, s));
  if (f.success) {
    const ok = toBool(read(f.success, s));
    if (ok === false) op.status = 'error';
    else if (ok === true && op.status === 'unset') op.status = 'ok';
  }
  if ((op.errorType || op.errorMessage) && op.status !== 'error' && (f.errorType || f.errorMessage)) op.status = 'error';
  if (op.kind === 'compaction') compaction(op);
}

function compaction(op: Operation): NonNullable<Operation['compaction']> {
  op.compaction ??= { trigger: 'unknown', tokensBefore: null, tokensAfter: null, estimated: false };
  return op.compaction;
}

/** The operation of the first span rule that matches, or undefined. */
export function applySpanRules(rules: Rules, span: Span): Operation | undefined {
  if (rules.spans.length === 0) return undefined;
  const s: Subject = { name: span.name, scope: span.scope.name, service: span.resource.serviceName, attributes: span.attributes };
  for (const c of rules.spans) {
    if (!matches(c, s)) continue;
    const op = spanOp(span, c.rule.kind, c.dialect);
    applyFields(op, c, s);
    return op;
  }
  return undefined;
}

/** The operation of the first log rule that matches, or undefined. */
export function applyLogRules(rules: Rules, log: LogRecord, eventName: string): Operation | undefined {
  if (rules.logs.length === 0) return undefined;
  const s: Subject = { name: eventName, scope: log.scope.name, service: log.resource.serviceName, attributes: log.attributes, body: logBody(log) };
  for (const c of rules.logs) {
    if (!matches(c, s)) continue;
    const op = logOp(log, c.rule.kind, c.dialect, eventName, eventIdentity(log, eventName, str(log.attributes, 'session.id')));
    applyFields(op, c, s);
    if (op.status === 'unset') op.status = 'ok';
    return op;
  }
  return undefined;
}
