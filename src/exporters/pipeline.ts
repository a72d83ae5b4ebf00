// The export stream: selected runs a page at a time -> conversations (conversation.ts) -> blamed turns, redaction
// -> the format's record -> its validator -> size limit, dedup, split -> lines. Memory stays flat: a page of runs
// is in hand at a time, plus the content hashes for dedup (and, for preference formats, the runs still waiting
// for a partner of the same task).
import { createHash } from 'node:crypto';
import type { Store } from '../store/clickhouse.js';
import { type RunRef, type RunSelection, readGroups, selectRuns, traceAttribute } from '../store/read/export.js';
import { type ConvMessage, type Conversation, type RunOperation, buildConversations, firstUserText, runKeyOf } from './conversation.js';
import { type RedactionPattern, PII_PATTERNS, SECRET_PATTERNS, type Redactor, makeRedactor, redactMessages } from './redact.js';
import type { ExportCounts, ParsedExportRequest } from './request.js';
import type { BlamedPolicy, CorpusFormat, Formatted, PreferencePair } from './types.js';

export type Split = 'train' | 'validation';

export interface ExportLine {
  /** The record, one JSON line without its newline. */
  line: string;
  /** What the training file cannot hold: run, trace, partial reasons, subagent parent, failures. */
  metadata: string;
  split: Split;
}

const PAGE_RUNS = 200;
/** Failed runs kept per task while no successful run of it has been seen. */
const MAX_WAITING_PER_TASK = 64;

export function selectionOf(req: ParsedExportRequest, now = new Date()): RunSelection {
  return {
    project: req.project,
    from: req.from ?? new Date(0),
    to: req.to ?? now,
    service: req.service,
    serviceVersion: req.serviceVersion,
    agent: req.agent,
    model: req.model,
    tool: req.tool,
    modesPresent: req.modesPresent,
    modesAbsent: req.modesAbsent,
    successfulOnly: req.successfulOnly,
    minTurns: req.minTurns,
    maxTurns: req.maxTurns,
    settledAfter: req.settledAfter,
    settledUntil: req.settledUntil,
  };
}

export function redactionPatterns(req: ParsedExportRequest): RedactionPattern[] {
  if (!req.redact) return [];
  return [...SECRET_PATTERNS, ...(req.redactPii ? PII_PATTERNS : []), ...req.redactPatterns.map((p) => ({ name: p.name, source: p.pattern }))];
}

export function blamedPolicy(req: ParsedExportRequest, format: CorpusFormat): BlamedPolicy | null {
  if (format.kind !== 'conversation') return null;
  return req.blamed ?? (format.weights ? 'weight0' : 'drop');
}

/** Content hash of a line: the dedup key and the split draw. */
export function lineHash(line: string): string {
  return createHash('sha256').update(line).digest('hex');
}

/** Deterministic split by content hash: the first 32 bits as a fraction of 2^32, below the ratio -> validation. */
export function splitOf(hash: string, ratio: number): Split {
  return ratio > 0 && parseInt(hash.slice(0, 8), 16) / 2 ** 32 < ratio ? 'validation' : 'train';
}

/**
 * Blamed turns dropped: the example ends before the first blamed assistant turn, with the results of the calls
 * the last kept turn made (so none is left unanswered), without the user turns that led to the blamed one.
 */
export function cutBeforeBlamed(messages: ConvMessage[]): ConvMessage[] {
  const first = messages.findIndex((m) => m.role === 'assistant' && m.blamedBy.length > 0);
  if (first < 0) return messages;
  let end = first;
  while (end > 0 && messages[end - 1].role !== 'assistant' && !messages[end - 1].parts.some((p) => p.type === 'tool_result')) end--;
  return messages.slice(0, end);
}

const inc = (rec: Record<string, number>, key: string, n = 1) => {
  rec[key] = (rec[key] ?? 0) + n;
};

function metadataOf(c: Conversation, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: c.id,
    run_id: c.runId,
    trace_id: c.traceId,
    session_id: c.sessionId,
    service: c.serviceName,
    agent: { name: c.agentName, id: c.agentId, depth: c.depth },
    ...(c.parent ? { parent: { run_id: c.parent.runId, agent_id: c.parent.agentId, tool_call_id: c.parent.toolCallId, tool_span_id: c.parent.toolSpanId } } : {}),
    dialect: c.dialect,
    models: c.models,
    start: c.startTimeUnixNano,
    partial: c.partial.length > 0,
    partial_reasons: c.partial,
    failures: c.failures,
    blamed_turns: c.messages.filter((m) => m.blamedBy.length > 0).length,
    ...extra,
  };
}

/** Same role, name and parts: what two runs must share to be compared turn by turn. */
function sameMessage(a: ConvMessage, b: ConvMessage): boolean {
  return a.role === b.role && a.name === b.name && JSON.stringify(a.parts) === JSON.stringify(b.parts);
}

/** The pair of two runs of one task, cut at the first assistant turn where they differ; or why there is none. */
export function makePair(taskKey: string, preferred: Conversation, rejected: Conversation): PreferencePair | string {
  const a = preferred.messages;
  const b = rejected.messages;
  let i = 0;
  while (i < a.length && i < b.length && sameMessage(a[i], b[i])) i++;
  if (i >= a.length || i >= b.length) return 'no_differing_turn';
  if (a[i].role !== 'assistant' || b[i].role !== 'assistant') return 'runs_differ_outside_assistant_turn';
  const tools = new Map(preferred.tools.map((t) => [t.name, t]));
  for (const t of rejected.tools) if (!tools.has(t.name)) tools.set(t.name, t);
  return { taskKey, preferred, rejected, input: a.slice(0, i), chosenTurn: a[i], rejectedTurn: b[i], tools: [...tools.values()] };
}

interface Ctx {
  req: ParsedExportRequest;
  format: CorpusFormat;
  counts: ExportCounts;
  redactor: Redactor;
  seen: Set<string>;
}

/** Validator, size limit, dedup and split for one formatted record; the line, or undefined when skipped. */
function finish(ctx: Ctx, f: Formatted, redactions: Map<string, number>, meta: Record<string, unknown>, partial: boolean): ExportLine | undefined {
  const { counts, req } = ctx;
  if (!f.ok) {
    inc(counts.skipped, f.reason);
    return undefined;
  }
  const invalid = ctx.format.validate(f.record);
  if (invalid) {
    inc(counts.skipped, invalid);
    return undefined;
  }
  const line = JSON.stringify(f.record);
  const tokens = Math.ceil(Buffer.byteLength(line) / 4);
  if (req.maxTokens !== undefined && tokens > req.maxTokens) {
    inc(counts.skipped, 'over_max_tokens');
    return undefined;
  }
  const hash = lineHash(line);
  if (req.dedup) {
    const key = hash.slice(0, 32);
    if (ctx.seen.has(key)) {
      counts.deduplicated++;
      return undefined;
    }
    ctx.seen.add(key);
  }
  for (const [k, n] of redactions) inc(counts.redacted, k, n);
  for (const l of f.lossy ?? []) inc(counts.lossy, l);
  if (partial) counts.partial++;
  counts.examples++;
  const split = splitOf(hash, req.validationRatio);
  counts[split]++;
  return { line, split, metadata: JSON.stringify({ ...meta, content_sha256: hash, estimated_tokens: tokens }) };
}

function recordOf(o: RunOperation, r: Redactor, counts: Map<string, number>): Record<string, unknown> {
  const op = o.op;
  const msgs = (m: typeof op.inputMessages) => redactMessages(m.map((x) => ({ ...x, from: '', blamedBy: [] })), r, counts).map(({ role, parts, name }) => (name !== undefined ? { role, parts, name } : { role, parts }));
  return {
    trace_id: op.traceId,
    span_id: op.spanId,
    parent_span_id: op.parentSpanId,
    group_key: o.groupKey,
    kind: op.kind,
    name: op.name,
    dialect: op.dialect,
    source: op.source,
    start: op.startTimeUnixNano,
    end: op.endTimeUnixNano,
    service: op.serviceName,
    agent: op.agentName,
    agent_id: op.agentId,
    parent_agent_id: op.parentAgentId,
    depth: op.depth,
    session_id: op.sessionId,
    user_id: op.userId,
    request_model: op.requestModel,
    response_model: op.responseModel,
    provider: op.provider,
    input_tokens: op.inputTokens,
    output_tokens: op.outputTokens,
    cache_read_tokens: op.cacheReadTokens,
    cache_write_tokens: op.cacheWriteTokens,
    reasoning_tokens: op.reasoningTokens,
    cost_usd: op.costUsd,
    finish_reason: op.finishReason,
    tool_name: op.toolName,
    tool_call_id: op.toolCallId,
    tool_arguments: r.text(op.toolArguments, counts, true),
    tool_result: r.text(op.toolResult, counts),
    status: op.status,
    error_type: op.errorType,
    error_message: r.text(op.errorMessage, counts),
    input_messages: msgs(op.inputMessages),
    output_messages: msgs(op.outputMessages),
    tools: op.tools,
    failures: o.failures,
  };
}

/**
 * The lines of an export, in order, as they are produced. `counts` is filled as it goes (final when the generator
 * is done). Throws only on store errors; every example-level problem is a count.
 */
export async function* exportLines(store: Store, req: ParsedExportRequest, format: CorpusFormat, counts: ExportCounts, now = new Date()): AsyncGenerator<ExportLine> {
  const sel = selectionOf(req, now);
  const ctx: Ctx = { req, format, counts, redactor: makeRedactor(redactionPatterns(req)), seen: new Set() };
  const policy = blamedPolicy(req, format);
  const waiting = new Map<string, { good?: Conversation; paired: boolean; bad: Conversation[] }>();
  let after: RunRef | undefined;
  for (;;) {
    const page = await selectRuns(store, sel, after, PAGE_RUNS);
    if (page.length === 0) break;
    after = page[page.length - 1];
    counts.runs += page.length;
    const wanted = new Set(page.map((r) => `${r.group_key}/${r.run}`));
    const ops = await readGroups(store, sel, [...new Set(page.map((r) => r.group_key))]);

    if (format.kind === 'records') {
      for (const o of ops) {
        if (!wanted.has(runKeyOf(o))) continue;
        const red = new Map<string, number>();
        const record = recordOf(o, ctx.redactor, red);
        const out = finish(ctx, { ok: true, record }, red, { trace_id: o.op.traceId, span_id: o.op.spanId }, false);
        if (out) yield out;
      }
      continue;
    }

    const convs = buildConversations(ops).filter((c) => wanted.has(c.runId));
    // Runs with no LLM call give no conversation: counted so every selected run is accounted for.
    const built = new Set(convs.map((c) => c.runId));
    for (const id of wanted) if (!built.has(id)) inc(counts.skipped, 'no_conversation');

    if (format.kind === 'conversation') {
      for (const c of convs) {
        const messages = policy === 'drop' ? cutBeforeBlamed(c.messages) : c.messages;
        if (messages.length === 0 || !messages.some((m) => m.role === 'assistant')) {
          inc(counts.skipped, messages === c.messages ? 'no_assistant_turn' : 'all_turns_blamed');
          continue;
        }
        const red = new Map<string, number>();
        const f = format.format({ conversation: c, messages: redactMessages(messages, ctx.redactor, red), tools: c.tools, weightZero: policy === 'weight0' });
        const out = finish(ctx, f, red, metadataOf(c, policy === 'drop' && messages !== c.messages ? { cut_at_blamed_turn: true } : {}), c.partial.length > 0);
        if (out) yield out;
      }
      continue;
    }

    // Preference: pair runs of one task.
    const keys = req.taskKey ? await traceAttribute(store, req.project, [...new Set(convs.map((c) => c.traceId))], req.taskKey) : undefined;
    for (const c of convs) {
      const key = keys ? (keys.get(c.traceId) ?? '') : firstUserText(c);
      if (!key) {
        inc(counts.skipped, 'no_task_key');
        continue;
      }
      let w = waiting.get(key);
      if (!w) waiting.set(key, (w = { paired: false, bad: [] }));
      const pairs: [Conversation, Conversation][] = [];
      if (!c.failed) {
        if (w.good) {
          inc(counts.skipped, 'unpaired_run');
          continue;
        }
        w.good = c;
        for (const b of w.bad) pairs.push([c, b]);
        w.bad = [];
      } else if (w.good) pairs.push([w.good, c]);
      else if (w.bad.length < MAX_WAITING_PER_TASK) w.bad.push(c);
      else inc(counts.skipped, 'unpaired_run');
      if (pairs.length) w.paired = true;
      for (const [good, bad] of pairs) {
        const pair = makePair(key, good, bad);
        if (typeof pair === 'string') {
          inc(counts.skipped, pair);
          continue;
        }
        const red = new Map<string, number>();
        const redacted: PreferencePair = {
          ...pair,
          input: redactMessages(pair.input, ctx.redactor, red),
          chosenTurn: redactMessages([pair.chosenTurn], ctx.redactor, red)[0],
          rejectedTurn: redactMessages([pair.rejectedTurn], ctx.redactor, red)[0],
        };
        const meta = { task_key: key, preferred: metadataOf(good), rejected: metadataOf(bad) };
        const out = finish(ctx, format.format(redacted), red, meta, good.partial.length > 0 || bad.partial.length > 0);
        if (out) yield out;
      }
    }
  }
  for (const w of waiting.values()) {
    const left = w.bad.length + (w.good && !w.paired ? 1 : 0);
    if (left) inc(counts.skipped, 'unpaired_run', left);
  }
}
