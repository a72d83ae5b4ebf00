// Strands Agents: framework as gen_ai.system, content as span events, swarm children.
import t from 'tap';
import { strandsSpans } from '../../src/normalize/dialects/strands.js';
import { normalizeSpans } from '../../src/normalize/index.js';
import { makeSpans } from './helpers.js';

t.test('swarm > agent > cycle > chat / execute_tool', async (t) => {
  const sys = { 'gen_ai.system': 'strands-agents' };
  const spans = makeSpans(
    [
      { name: 'invoke_swarm', spanId: '0000000000000001', kind: 3, attrs: { ...sys, 'gen_ai.operation.name': 'invoke_swarm', 'session.id': 'S1' } },
      { name: 'invoke_agent researcher', spanId: '0000000000000002', parentSpanId: '0000000000000001', attrs: { ...sys, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'researcher', 'gen_ai.usage.input_tokens': 999 } },
      { name: 'execute_event_loop_cycle', spanId: '0000000000000003', parentSpanId: '0000000000000002', attrs: { 'event_loop.cycle_id': 'c1' } },
      {
        name: 'chat',
        spanId: '0000000000000004',
        parentSpanId: '0000000000000003',
        attrs: { ...sys, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'us.anthropic.claude', 'gen_ai.usage.prompt_tokens': 40, 'gen_ai.usage.input_tokens': 40, 'gen_ai.usage.cache_read_input_tokens': 30, 'gen_ai.usage.cache_write_input_tokens': 2 },
        events: [
          { name: 'gen_ai.user.message', attrs: { content: '[{"text": "find papers"}]' } },
          { name: 'gen_ai.choice', attrs: { finish_reason: 'tool_use', message: '[{"toolUse": {"toolUseId": "t1", "name": "search", "input": {"q": "llm"}}}]' } },
        ],
      },
      {
        name: 'execute_tool search',
        spanId: '0000000000000005',
        parentSpanId: '0000000000000003',
        attrs: { ...sys, 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.id': 't1', 'gen_ai.tool.status': 'error' },
        events: [
          { name: 'gen_ai.tool.message', attrs: { role: 'tool', content: '{"q": "llm"}', id: 't1' } },
          { name: 'gen_ai.choice', attrs: { message: 'timeout', id: 't1' } },
        ],
      },
    ],
    { scope: 'strands.telemetry.tracer' },
  );
  for (const s of spans.filter((x) => x.name !== 'execute_event_loop_cycle')) t.ok(strandsSpans.matches(s));
  const [swarm, agent, cycle, chat, tool] = normalizeSpans(spans);
  t.match(swarm, { kind: 'agent', depth: 0 });
  t.match(agent, { kind: 'subagent', agentName: 'researcher', parentAgentId: swarm.agentId, depth: 1, sessionId: 'S1' });
  t.equal(cycle.kind, 'other');
  t.match(chat, { kind: 'llm', provider: '', inputTokens: 40, cacheReadTokens: 30, cacheWriteTokens: 2, finishReason: 'tool_call', agentName: 'researcher', depth: 1 });
  t.same(chat.inputMessages, [{ role: 'user', parts: [{ type: 'text', text: 'find papers' }] }]);
  t.same(chat.outputMessages, [{ role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'search', arguments: '{"q":"llm"}' }] }]);
  t.match(tool, { kind: 'tool', status: 'error', toolArguments: '{"q": "llm"}', toolResult: 'timeout' });
});

t.test('negative', async (t) => {
  const [s] = makeSpans([{ name: 'chat', spanId: '0000000000000001', attrs: { 'gen_ai.system': 'openai', 'gen_ai.operation.name': 'chat' } }]);
  t.notOk(strandsSpans.matches(s));
});
