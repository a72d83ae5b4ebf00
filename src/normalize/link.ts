// The agent tree of a batch (docs/normalization.md, "Subagents"). Every operation gets the agent it ran in (agent id, name,
// parent agent id, depth); an agent run inside another agent run is a subagent, linked to its parent agent
// and to the tool call that spawned it. Two ways to know who is who:
//  - the span tree (semconv/Vercel/OpenInference/ADK...): the nearest agent ancestor is the parent, the
//    nearest tool span between them is the spawning call;
//  - explicit ids (Claude Code `agent_id`/`parent_agent_id`, Gemini CLI agent events): operations name their
//    agent; a subagent that has no record of its own gets one synthesized from its calls, and when the span
//    tree cannot show the spawning call (logs) the latest spawn-tool call of the parent agent in the same
//    session that started before it is taken (an approximation: parallel spawns of the same type may swap).
// Idempotent: running it again on its own output (after merging spans with logs) changes nothing.
import { subagentSpanId } from './ids.js';
import { type Operation, emptyOperation } from '../model/operation.js';
import { cmpNanos, nonZero } from './values.js';
import { normalizeWork } from './work.js';
import { matchSpawnCalls } from './spawn-match.js';

// Bounds ancestor walks: real agent trees are far shallower, and broken exporters can send parent cycles.
const MAX_WALK = 64;

function key(traceId: string, spanId: string): string {
  return traceId + '/' + spanId;
}

function isAgent(o: Operation): boolean {
  return o.kind === 'agent' || o.kind === 'subagent';
}

interface Ancestry {
  agent?: Operation;
  /** Nearest tool operation between the start and the agent. */
  tool?: Operation;
  /** Nearest operation that knows the session / user. */
  withSession?: Operation;
}

/**
 * @param parents span id -> parent span id for every span of the batch (including spans that produced no
 *   operation, e.g. a Claude Code tool.execution span that subagent work hangs under), keyed `trace/span`.
 */
export function linkAgents(ops: Operation[], parents?: Map<string, string>): Operation[] {
  const byKey = new Map<string, Operation>();
  for (const o of ops) {
    const k = key(o.traceId, o.spanId);
    // Partial ids can collide with their host (same span): the first, the host, stays.
    if (!byKey.has(k)) byKey.set(k, o);
  }
  const walk = (from: Operation, stopAtForeignTool?: string): Ancestry => {
    const res: Ancestry = {};
    let p = from.parentSpanId;
    for (let i = 0; p && i < MAX_WALK; i++) {
      normalizeWork.steps++;
      const k = key(from.traceId, p);
      const o = byKey.get(k);
      if (o && o !== from) {
        if (!res.withSession && (o.sessionId || o.userId)) res.withSession = o;
        if (o.kind === 'tool' && !res.tool && (stopAtForeignTool === undefined || o.agentId !== stopAtForeignTool)) {
          res.tool = o;
          if (stopAtForeignTool !== undefined) return res;
        }
        if (isAgent(o) && stopAtForeignTool === undefined) {
          res.agent = o;
          return res;
        }
      }
      const next = parents?.get(k) ?? o?.parentSpanId ?? '';
      if (next === p || next === from.spanId) break; // self-parent or a cycle back to the start
      p = next;
    }
    return res;
  };

  // 1. Agent runs: ids, and parent agent + spawning call from the span tree.
  const agentsById = new Map<string, Operation>();
  for (const o of ops) {
    if (!isAgent(o)) continue;
    if (!o.agentId) o.agentId = o.spanId;
    const anc = walk(o);
    if (anc.withSession) inheritSession(o, anc.withSession);
    if (anc.agent && anc.agent.agentId !== o.agentId) {
      o.kind = 'subagent';
      if (!o.parentAgentId) o.parentAgentId = anc.agent.agentId || anc.agent.spanId;
      if (anc.tool && !o.toolCallId) {
        o.toolCallId = anc.tool.toolCallId;
        o.toolName = anc.tool.toolName;
      }
    }
    if (o.kind === 'subagent' || !agentsById.has(o.agentId)) agentsById.set(o.agentId, o);
  }

  // 2. Agents known only by the id on their calls get a record of their own.
  const orphans = new Map<string, Operation[]>();
  for (const o of ops) {
    if (isAgent(o) || !o.agentId || agentsById.has(o.agentId)) continue;
    if (!o.parentAgentId) {
      // Its agent is not the one it runs under in the span tree: a subagent of that one.
      const anc = walk(o);
      if (anc.withSession) inheritSession(o, anc.withSession);
      if (!anc.agent || anc.agent.agentId === o.agentId) continue;
      o.parentAgentId = anc.agent.agentId;
    }
    const list = orphans.get(o.agentId);
    if (list) list.push(o);
    else orphans.set(o.agentId, [o]);
  }
  const synthesized: Operation[] = [];
  for (const [agentId, calls] of orphans) {
    const sub = synthesize(agentId, calls);
    // The spawning call: first tool above any of its calls that belongs to another agent.
    for (const c of calls) {
      const t = walk(c, agentId).tool;
      if (t) {
        sub.parentSpanId = t.spanId;
        sub.toolCallId = t.toolCallId;
        sub.toolName = t.toolName;
        if (!sub.agentName) sub.agentName = spawnedType(t);
        break;
      }
    }
    agentsById.set(agentId, sub);
    synthesized.push(sub);
  }
  const all = synthesized.length ? [...ops, ...synthesized] : ops;

  // 3. Subagents still without a spawning call (log-only data): the parent's latest spawn-tool call before it.
  matchSpawnCalls(all);

  // 4. Depth of every agent from its parent chain.
  const depthOf = new Map<Operation, number>();
  const depth = (a: Operation, guard = 0): number => {
    const known = depthOf.get(a);
    if (known !== undefined) return known;
    let d = 0;
    if (a.parentAgentId && guard < MAX_WALK) {
      const parent = agentsById.get(a.parentAgentId);
      d = parent && parent !== a ? depth(parent, guard + 1) + 1 : 1;
    }
    depthOf.set(a, d);
    return d;
  };
  for (const a of all) if (isAgent(a)) a.depth = depth(a);

  // 5. Everything else runs in the agent it names, or in its nearest agent ancestor.
  for (const o of ops) {
    if (isAgent(o)) continue;
    let agent = o.agentId ? agentsById.get(o.agentId) : undefined;
    if (!agent || !o.sessionId) {
      const anc = walk(o);
      if (anc.withSession) inheritSession(o, anc.withSession);
      if (!o.agentId && anc.agent) agent = anc.agent;
    }
    if (!agent) {
      if (o.parentAgentId) o.depth = Math.max(o.depth, 1);
      continue;
    }
    if (!o.agentId) o.agentId = agent.agentId;
    if (!o.agentName) o.agentName = agent.agentName;
    if (!o.parentAgentId) o.parentAgentId = agent.parentAgentId;
    o.depth = agent.depth;
  }

  // 6. A subagent with no span of its own (synthesized above, or from an end event) takes the id of the raw
  //    span its calls hang under when that span is no operation itself (Claude Code's tool.execution span,
  //    merged into the spawning call): the trace's tree then uses the ids of its raw spans, and the calls'
  //    parent ids point at their subagent.
  const spanless = all.filter((a) => a.kind === 'subagent' && (a.source === 'log' || synthesized.includes(a)));
  if (spanless.length) {
    const opIds = new Set(all.map((o) => o.traceId + '/' + o.spanId));
    const underOf = new Map<string, Map<string, number>>(); // agent id -> trace/parent span -> calls
    for (const o of ops) {
      if (isAgent(o) || !o.agentId || !o.parentSpanId) continue;
      const k = o.traceId + '/' + o.parentSpanId;
      if (opIds.has(k)) continue;
      let m = underOf.get(o.agentId);
      if (!m) underOf.set(o.agentId, (m = new Map()));
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    for (const sub of spanless) {
      const m = underOf.get(sub.agentId);
      if (!m) continue;
      let best = '';
      let n = 0;
      for (const [k, c] of m) if (c > n) [best, n] = [k, c];
      const [traceId, spanId] = best.split('/');
      if (traceId !== sub.traceId || opIds.has(best)) continue;
      opIds.delete(sub.traceId + '/' + sub.spanId);
      sub.spanId = spanId;
      opIds.add(best);
    }
  }
  return all;
}

/** The agent type a spawn call asked for (Claude Code `subagent_type`, ADK `agent_name`). */
function spawnedType(tool: Operation): string {
  if (!tool.toolArguments.startsWith('{')) return '';
  try {
    const args = JSON.parse(tool.toolArguments) as Record<string, unknown>;
    const t = args.subagent_type ?? args.agent_type ?? args.agent_name;
    return typeof t === 'string' ? t : '';
  } catch {
    return '';
  }
}

function inheritSession(o: Operation, from: Operation): void {
  if (!o.sessionId) o.sessionId = from.sessionId;
  if (!o.userId) o.userId = from.userId;
}

/** The record of a subagent seen only through its calls: their span, session and agent fields. */
function synthesize(agentId: string, calls: Operation[]): Operation {
  const first = calls[0];
  const pick = (f: 'agentName' | 'parentAgentId' | 'sessionId' | 'userId' | 'requestModel'): string => calls.find((c) => c[f])?.[f] ?? '';
  let start = '';
  let end = '';
  for (const c of calls) {
    if (nonZero(c.startTimeUnixNano) && (!start || cmpNanos(c.startTimeUnixNano, start) < 0)) start = c.startTimeUnixNano;
    if (nonZero(c.endTimeUnixNano) && (!end || cmpNanos(c.endTimeUnixNano, end) > 0)) end = c.endTimeUnixNano;
  }
  const sessionId = pick('sessionId');
  const failed = calls.some((c) => c.kind === 'llm' && c.status === 'error');
  return emptyOperation({
    kind: 'subagent',
    dialect: first.dialect,
    source: first.source,
    traceId: first.traceId,
    spanId: subagentSpanId(sessionId || first.traceId, agentId),
    parentSpanId: '',
    name: 'subagent',
    startTimeUnixNano: start || '0',
    endTimeUnixNano: end || '0',
    serviceName: first.serviceName,
    agentName: pick('agentName'),
    agentId,
    parentAgentId: pick('parentAgentId'),
    sessionId,
    userId: pick('userId'),
    requestModel: pick('requestModel'),
    // Its outcome is only known from an end event (Claude Code subagent_completed); failed calls are a hint.
    status: failed ? 'error' : 'unset',
  });
}
