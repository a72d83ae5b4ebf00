// The conversation builder: the normalized operations of a group (src/model/operation.ts, as stored by the settle
// loop) -> one ordered conversation per agent run, the unit every corpus format is made from. Pure.
//
// Sources, best first (docs/corpora.md): the message histories on LLM calls (each call's input + output; an agent
// resends its whole conversation, so the calls of a run chain into one); where a call recorded no input, the run
// is stitched in time order from what the other records hold (the agent record's prompt, tool records' arguments
// and results) and the example is marked partial. Nothing is invented: a message whose content was not recorded
// is left out (or empty, for a tool result) and the example says so in `partial`.
import type { ChatMessage, ChatPart, Operation, ToolDefinition } from '../model/operation.js';

export interface OpFailure {
  mode: string;
  severity: string;
  detector: string;
  evidence: string;
}

/** An operation as read back from the store, with its failures and where it lives. */
export interface RunOperation {
  op: Operation;
  failures: OpFailure[];
  groupKey: string;
  /** The rebuild that wrote it (operations.version: settle time in µs). */
  version: string;
}

export interface ConvMessage {
  role: ChatMessage['role'];
  parts: ChatPart[];
  name?: string;
  /** Span id of the LLM call that generated it (assistant turns), '' when not known. */
  from: string;
  /** Failure modes a detector attached to its LLM call or to a tool call it made. */
  blamedBy: string[];
}

export interface Conversation {
  /** Stable id of the example: run id, plus `#n` for the n-th segment of a run whose history was rewritten. */
  id: string;
  runId: string;
  segment: number;
  groupKey: string;
  traceId: string;
  sessionId: string;
  agentId: string;
  agentName: string;
  depth: number;
  serviceName: string;
  dialect: string;
  /** Subagents: the run that spawned it and the spawning tool call. */
  parent?: { runId: string; agentId: string; toolCallId: string; toolSpanId: string };
  models: string[];
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** Latest settle version among the run's operations. */
  version: string;
  messages: ConvMessage[];
  tools: ToolDefinition[];
  /** Why content is missing (empty: complete). */
  partial: string[];
  /** Every failure found in the run. */
  failures: { mode: string; severity: string; spanId: string }[];
  /** A failure of medium or high severity in the run. */
  failed: boolean;
}

const byTime = (a: RunOperation, b: RunOperation) =>
  cmp(a.op.startTimeUnixNano, b.op.startTimeUnixNano) || cmp(a.op.endTimeUnixNano, b.op.endTimeUnixNano) || (a.op.spanId < b.op.spanId ? -1 : a.op.spanId > b.op.spanId ? 1 : 0);

function cmp(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** The agent run an operation belongs to: its agent, or its trace when no agent record names one. */
export function runKeyOf(o: RunOperation): string {
  return `${o.groupKey}/${o.op.agentId || 't:' + o.op.traceId}`;
}

export const isFailedSeverity = (s: string) => s === 'medium' || s === 'high';

/** Groups `ops` (one or more whole groups) into runs and builds their conversations, in start order. */
export function buildConversations(ops: readonly RunOperation[]): Conversation[] {
  const runs = new Map<string, RunOperation[]>();
  for (const o of ops) {
    const k = runKeyOf(o);
    let list = runs.get(k);
    if (!list) runs.set(k, (list = []));
    list.push(o);
  }
  // Spawning records and tool calls by group, to name a subagent's parent.
  const subagentRecords = new Map<string, RunOperation>();
  const toolsByCallId = new Map<string, RunOperation>();
  for (const o of ops) {
    if (o.op.kind === 'subagent' && o.op.agentId) subagentRecords.set(`${o.groupKey}/${o.op.agentId}`, o);
    if (o.op.kind === 'tool' && o.op.toolCallId) toolsByCallId.set(`${o.groupKey}/${o.op.toolCallId}`, o);
  }
  const out: Conversation[] = [];
  for (const [runId, list] of runs) {
    list.sort(byTime);
    out.push(...buildRun(runId, list, subagentRecords, toolsByCallId));
  }
  return out.sort((a, b) => cmp(a.startTimeUnixNano, b.startTimeUnixNano) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

interface Segment {
  messages: ConvMessage[];
  tools: Map<string, ToolDefinition>;
  calls: RunOperation[];
  partial: Set<string>;
}

const newSegment = (): Segment => ({ messages: [], tools: new Map(), calls: [], partial: new Set() });

function wrap(m: ChatMessage, from = ''): ConvMessage {
  const c: ConvMessage = { role: m.role, parts: m.parts, from, blamedBy: [] };
  if (m.name !== undefined) c.name = m.name;
  return c;
}

/** An agent appends to its history: a call's input extends what came before when the roles line up. */
function extends_(conv: ConvMessage[], input: ChatMessage[]): boolean {
  if (input.length < conv.length) return false;
  for (let i = 0; i < conv.length; i++) if (conv[i].role !== input[i].role) return false;
  return true;
}

const sameContent = (a: ConvMessage | ChatMessage, b: ChatMessage) => a.role === b.role && a.name === b.name && JSON.stringify(a.parts) === JSON.stringify(b.parts);

/** The call's input and output are a prefix of the conversation, message for message. */
function covered(conv: ConvMessage[], input: ChatMessage[], output: ChatMessage[]): boolean {
  if (input.length + output.length > conv.length || input.length >= conv.length) return false;
  for (let i = 0; i < input.length; i++) if (!sameContent(conv[i], input[i])) return false;
  for (let i = 0; i < output.length; i++) if (!sameContent(conv[input.length + i], output[i])) return false;
  return true;
}

function callIds(m: ConvMessage): string[] {
  return m.parts.flatMap((p) => (p.type === 'tool_call' ? [p.id] : []));
}

function resultIds(m: ConvMessage): string[] {
  return m.parts.flatMap((p) => (p.type === 'tool_result' ? [p.id] : []));
}

/** Tool calls of the last assistant turn that no later message answers. */
function danglingCalls(conv: ConvMessage[]): string[] {
  let last = -1;
  for (let i = conv.length - 1; i >= 0; i--) {
    if (conv[i].role === 'assistant') {
      last = i;
      break;
    }
  }
  if (last < 0) return [];
  const answered = new Set(conv.slice(last + 1).flatMap(resultIds));
  return callIds(conv[last]).filter((id) => id && !answered.has(id));
}

function toolResultMessage(t: Operation): { message: ConvMessage; complete: boolean } {
  const content = t.toolResult || (t.status === 'error' ? t.errorMessage : '');
  const part: ChatPart = { type: 'tool_result', id: t.toolCallId, name: t.toolName, content };
  if (t.status === 'error') part.isError = true;
  return { message: { role: 'tool', parts: [part], from: '', blamedBy: [] }, complete: content !== '' || t.status === 'ok' };
}

function buildRun(runId: string, ops: RunOperation[], subagentRecords: Map<string, RunOperation>, toolsByCallId: Map<string, RunOperation>): Conversation[] {
  const first = ops[0];
  const agentOps = ops.filter((o) => o.op.kind === 'agent' || o.op.kind === 'subagent');
  // Calls in time order; calls stamped at the same time in the order of their histories.
  const calls = ops.filter((o) => o.op.kind === 'llm').sort((a, b) => cmp(a.op.startTimeUnixNano, b.op.startTimeUnixNano) || a.op.inputMessages.length - b.op.inputMessages.length || byTime(a, b));
  const tools = ops.filter((o) => o.op.kind === 'tool' || o.op.kind === 'handoff');
  const toolById = new Map(tools.filter((t) => t.op.toolCallId).map((t) => [t.op.toolCallId, t]));

  const segments: Segment[] = [];
  let seg = newSegment();
  const usedTools = new Set<RunOperation>();
  const usedPrompts = new Set<RunOperation>();

  const appendResults = (s: Segment, beforeNs?: string) => {
    for (const id of danglingCalls(s.messages)) {
      const t = toolById.get(id);
      if (!t || (beforeNs !== undefined && cmp(t.op.startTimeUnixNano, beforeNs) > 0)) continue;
      const r = toolResultMessage(t.op);
      s.messages.push(r.message);
      usedTools.add(t);
      if (!r.complete) s.partial.add('tool_result_missing');
    }
  };
  const prompts = (s: Segment, untilNs: string) => {
    for (const a of agentOps) {
      if (usedPrompts.has(a) || cmp(a.op.startTimeUnixNano, untilNs) > 0) continue;
      usedPrompts.add(a);
      for (const m of a.op.inputMessages) s.messages.push(wrap(m));
    }
  };

  for (let ci = 0; ci < calls.length; ci++) {
    const call = calls[ci];
    const op = call.op;
    if (op.inputMessages.length > 0) {
      // A call whose history is already in hand (spans stamped out of order, a retried call): its turns are there.
      if (covered(seg.messages, op.inputMessages, op.outputMessages)) {
        for (let i = 0; i < op.outputMessages.length; i++) seg.messages[op.inputMessages.length + i].from ||= op.spanId;
        seg.calls.push(call);
        continue;
      }
      if (!extends_(seg.messages, op.inputMessages)) {
        if (seg.messages.length) segments.push(seg);
        seg = newSegment();
      }
      for (let i = seg.messages.length; i < op.inputMessages.length; i++) seg.messages.push(wrap(op.inputMessages[i]));
    } else {
      // No history on this call: stitch from the other records, in time order.
      seg.partial.add('llm_input_missing');
      appendResults(seg, op.startTimeUnixNano);
      prompts(seg, op.startTimeUnixNano);
    }
    seg.calls.push(call);
    for (const t of op.tools) seg.tools.set(t.name, t);
    if (op.outputMessages.length > 0) {
      for (const m of op.outputMessages) {
        seg.messages.push(wrap(m, op.spanId));
        for (const id of callIds(seg.messages[seg.messages.length - 1])) {
          const t = toolById.get(id);
          if (t) usedTools.add(t);
        }
      }
    } else {
      seg.partial.add('llm_output_missing');
      // The tool calls this call made are still known from the tool records that ran before the next call.
      const nextStart = calls[ci + 1]?.op.startTimeUnixNano;
      const made = tools.filter(
        (t) => !usedTools.has(t) && t.op.toolCallId && cmp(t.op.startTimeUnixNano, op.startTimeUnixNano) >= 0 && (nextStart === undefined || cmp(t.op.startTimeUnixNano, nextStart) < 0),
      );
      if (made.length) {
        const parts: ChatPart[] = made.map((t) => ({ type: 'tool_call', id: t.op.toolCallId, name: t.op.toolName, arguments: t.op.toolArguments }));
        seg.messages.push({ role: 'assistant', parts, from: op.spanId, blamedBy: [] });
        for (const t of made) usedTools.add(t);
      }
    }
  }
  // Calls the last turn made that ran (the run ended, or was cut, before another LLM call).
  appendResults(seg);
  if (seg.messages.length) segments.push(seg);

  // Tools called but never declared to the model in what was recorded (agents that do not report definitions):
  // listed by name only, so the example stays usable, and marked partial.
  for (const s of segments) {
    for (const m of s.messages) {
      for (const p of m.parts) {
        if (p.type !== 'tool_call' || !p.name || s.tools.has(p.name)) continue;
        s.tools.set(p.name, { name: p.name });
        s.partial.add('tool_definitions_missing');
      }
    }
  }

  // Blame: failures on an LLM call fall on the turns it generated; failures on a tool call on the turn that made it.
  const failures = ops.flatMap((o) => o.failures.map((f) => ({ mode: f.mode, severity: f.severity, spanId: o.op.spanId })));
  const callFailures = new Map<string, string[]>();
  for (const c of calls) if (c.failures.length) callFailures.set(c.op.spanId, c.failures.map((f) => f.mode));
  const toolFailures = new Map<string, string[]>();
  for (const t of tools) if (t.failures.length && t.op.toolCallId) toolFailures.set(t.op.toolCallId, t.failures.map((f) => f.mode));
  for (const s of segments) {
    for (const m of s.messages) {
      if (m.role !== 'assistant') continue;
      const modes = new Set<string>(m.from ? (callFailures.get(m.from) ?? []) : []);
      for (const id of callIds(m)) for (const mode of toolFailures.get(id) ?? []) modes.add(mode);
      m.blamedBy = [...modes].sort();
    }
  }

  const main = agentOps.find((a) => a.op.kind === 'subagent') ?? agentOps[0] ?? first;
  const spawn = first.op.depth > 0 ? subagentRecords.get(`${first.groupKey}/${first.op.agentId}`) : undefined;
  let parent: Conversation['parent'];
  if (spawn) {
    const tool = spawn.op.toolCallId ? toolsByCallId.get(`${spawn.groupKey}/${spawn.op.toolCallId}`) : undefined;
    parent = {
      runId: `${spawn.groupKey}/${spawn.op.parentAgentId || 't:' + spawn.op.traceId}`,
      agentId: spawn.op.parentAgentId,
      toolCallId: spawn.op.toolCallId,
      toolSpanId: tool?.op.spanId ?? '',
    };
  }
  let version = '0';
  for (const o of ops) if (cmp(o.version, version) > 0) version = o.version;
  const models = [...new Set(calls.map((c) => c.op.responseModel || c.op.requestModel).filter(Boolean))];
  const failed = failures.some((f) => isFailedSeverity(f.severity));
  return segments.map((s, i) => {
    const range = s.calls.length ? s.calls : ops;
    const conv: Conversation = {
      id: segments.length > 1 ? `${runId}#${i}` : runId,
      runId,
      segment: i,
      groupKey: first.groupKey,
      traceId: main.op.traceId,
      sessionId: main.op.sessionId || first.op.sessionId,
      agentId: first.op.agentId,
      agentName: main.op.agentName || first.op.agentName,
      depth: first.op.depth,
      serviceName: main.op.serviceName || first.op.serviceName,
      dialect: (calls[0] ?? first).op.dialect,
      models,
      startTimeUnixNano: range[0].op.startTimeUnixNano,
      endTimeUnixNano: range.reduce((m, o) => (cmp(o.op.endTimeUnixNano, m) > 0 ? o.op.endTimeUnixNano : m), '0'),
      version,
      messages: s.messages,
      tools: [...s.tools.values()],
      partial: [...s.partial].sort(),
      failures,
      failed,
    };
    if (parent) conv.parent = parent;
    return conv;
  });
}

/** Text of the first user message, whitespace-collapsed and lower-cased: the default task key. */
export function firstUserText(c: Conversation): string {
  const m = c.messages.find((x) => x.role === 'user' && x.parts.some((p) => p.type === 'text'));
  if (!m) return '';
  return m.parts
    .flatMap((p) => (p.type === 'text' ? [p.text] : []))
    .join('\n')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

