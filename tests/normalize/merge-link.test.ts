// Merging span and log operations (each call once) and the agent tree (ids, parents, depth, spawning call).
import t from 'tap';
import { emptyOperation, linkAgents, mergeOperations, normalizeSpans } from '../../src/normalize/index.js';
import { makeSpans } from './helpers.js';

const span = (o: Parameters<typeof emptyOperation>[0]) => emptyOperation({ source: 'span', traceId: 'tr', ...o });
const log = (o: Parameters<typeof emptyOperation>[0]) => emptyOperation({ source: 'log', traceId: 'tr', ...o });

t.test('matches by tool call id / request id only within the same session', async (t) => {
  const spans = [
    span({ kind: 'tool', dialect: 'x', spanId: 'a1', toolCallId: 'call_1', sessionId: 's1', toolName: 'f' }),
    span({ kind: 'llm', dialect: 'x', spanId: 'a2', requestId: 'req_1', sessionId: 's1' }),
  ];
  const logs = [
    log({ kind: 'tool', dialect: 'x', spanId: 'b1', toolCallId: 'call_1', sessionId: 's1', toolResult: 'out', status: 'error', errorMessage: 'bad' }),
    log({ kind: 'tool', dialect: 'x', spanId: 'b2', toolCallId: 'call_1', sessionId: 's2' }),
    log({ kind: 'llm', dialect: 'x', spanId: 'b3', requestId: 'req_1', sessionId: 's1', costUsd: 0.5 }),
    log({ kind: 'tool', dialect: 'x', spanId: 'b4', requestId: 'req_1', sessionId: 's1', toolCallId: 'other' }),
  ];
  const out = mergeOperations(spans, logs);
  t.equal(out.length, 4, 'two merged, two kept');
  t.match(out[0], { spanId: 'a1', source: 'span+log', toolResult: 'out', status: 'error', errorMessage: 'bad', toolName: 'f' });
  t.match(out[1], { spanId: 'a2', source: 'span+log', costUsd: 0.5 });
  t.same(
    out.slice(2).map((o) => o.spanId),
    ['b2', 'b4'],
  );
});

t.test('a log op emitted inside a span of the same kind merges into it; the span keeps its place in the tree', async (t) => {
  const out = mergeOperations([span({ kind: 'llm', dialect: 'x', spanId: 'root', inputTokens: 5 })], [log({ kind: 'llm', dialect: 'x', spanId: 'l1', parentSpanId: 'root', inputTokens: 9, outputMessages: [{ role: 'assistant', parts: [] }] })]);
  t.equal(out.length, 1);
  t.match(out[0], { spanId: 'root', parentSpanId: '', inputTokens: 5, source: 'span+log' });
  t.equal(out[0].outputMessages.length, 1);
});

t.test('nested subagents by explicit ids (Claude Code parent_agent_id): depth 2, each linked to its spawner', async (t) => {
  const s = { 'session.id': 'S' };
  const ops = normalizeSpans(
    makeSpans([
      { name: 'claude_code.interaction', spanId: '0000000000000001', attrs: s },
      { name: 'claude_code.tool', spanId: '0000000000000002', parentSpanId: '0000000000000001', attrs: { ...s, tool_name: 'Agent', tool_use_id: 'tA', subagent_type: 'planner' } },
      { name: 'claude_code.tool.execution', spanId: '0000000000000003', parentSpanId: '0000000000000002', attrs: { ...s, success: true, tool_use_id: 'tA' } },
      { name: 'claude_code.llm_request', spanId: '0000000000000004', parentSpanId: '0000000000000003', attrs: { ...s, agent_id: 'A', query_source: 'agent:custom:planner', request_id: 'r1' } },
      { name: 'claude_code.tool', spanId: '0000000000000005', parentSpanId: '0000000000000003', attrs: { ...s, agent_id: 'A', tool_name: 'Agent', tool_use_id: 'tB', subagent_type: 'coder' } },
      { name: 'claude_code.tool.execution', spanId: '0000000000000006', parentSpanId: '0000000000000005', attrs: { ...s, success: true, tool_use_id: 'tB' } },
      { name: 'claude_code.llm_request', spanId: '0000000000000007', parentSpanId: '0000000000000006', attrs: { ...s, agent_id: 'B', parent_agent_id: 'A', request_id: 'r2' } },
    ]),
  );
  const subs = ops.filter((o) => o.kind === 'subagent');
  t.same(
    subs.map((o) => [o.agentId, o.agentName, o.parentAgentId, o.depth, o.toolCallId]),
    [
      ['A', 'planner', 'S', 1, 'tA'],
      ['B', 'coder', 'A', 2, 'tB'],
    ],
  );
  t.same(
    ops.filter((o) => o.kind === 'llm').map((o) => [o.requestId, o.agentId, o.depth, o.agentName]),
    [
      ['r1', 'A', 1, 'planner'],
      ['r2', 'B', 2, 'coder'],
    ],
  );
  t.match(ops.find((o) => o.toolCallId === 'tB' && o.kind === 'tool'), { agentId: 'A', depth: 1, agentName: 'planner' });
});

t.test('linking is idempotent', async (t) => {
  const ops = normalizeSpans(
    makeSpans([
      { name: 'invoke_agent a', spanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a' } },
      { name: 'execute_tool t', spanId: '0000000000000002', parentSpanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't' } },
      { name: 'invoke_agent b', spanId: '0000000000000003', parentSpanId: '0000000000000002', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'b' } },
    ]),
  );
  const before = JSON.stringify(ops);
  t.equal(JSON.stringify(linkAgents(ops)), before);
  t.equal(ops.length, 3, 'no synthesized duplicates');
});
