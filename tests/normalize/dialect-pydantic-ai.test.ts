// Pydantic AI / Logfire: v>=3 semconv names, v2 names, aggregated usage, operation.cost.
import t from 'tap';
import { pydanticAiSpans } from '../../src/normalize/dialects/pydantic-ai.js';
import { normalizeSpans } from '../../src/normalize/index.js';
import { makeSpans } from './helpers.js';

t.test('agent run > chat + execute_tool > delegated agent', async (t) => {
  const spans = makeSpans(
    [
      {
        name: 'invoke_agent support',
        spanId: '0000000000000001',
        attrs: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': 'support',
          'gen_ai.agent.call.id': 'run-1',
          'gen_ai.conversation.id': 'conv-1',
          'gen_ai.aggregated_usage.input_tokens': 300,
          'gen_ai.aggregated_usage.output_tokens': 30,
          'operation.cost': 0.01,
          final_result: 'All good',
          'pydantic_ai.all_messages': '[{"role":"user","parts":[{"type":"text","content":"help"}]}]',
        },
      },
      {
        name: 'chat gpt-5',
        spanId: '0000000000000002',
        parentSpanId: '0000000000000001',
        kind: 3,
        attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.details.reasoning_tokens': 12, 'operation.cost': 0.004 },
      },
      {
        name: 'execute_tool ask_expert',
        spanId: '0000000000000003',
        parentSpanId: '0000000000000001',
        attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'ask_expert', 'gen_ai.tool.call.id': 'c1', 'gen_ai.tool.call.arguments': '{"q":"?"}' },
      },
      { name: 'invoke_agent expert', spanId: '0000000000000004', parentSpanId: '0000000000000003', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'expert', 'gen_ai.agent.call.id': 'run-2' } },
      { name: 'running tool', spanId: '0000000000000005', attrs: { tool_name: 'old_tool', tool_arguments: '{}', tool_response: 'ok' } },
    ],
    { scope: 'pydantic-ai' },
  );
  for (const s of spans) t.ok(pydanticAiSpans.matches(s));
  const [agent, chat, tool, sub, old] = normalizeSpans(spans);
  t.match(agent, { kind: 'agent', agentId: 'run-1', inputTokens: 300, outputTokens: 30, costUsd: 0.01, sessionId: 'conv-1' });
  t.same(agent.outputMessages, [{ role: 'assistant', parts: [{ type: 'text', text: 'All good' }] }]);
  t.match(chat, { kind: 'llm', inputTokens: 100, reasoningTokens: 12, costUsd: 0.004, agentId: 'run-1' });
  t.match(tool, { kind: 'tool', toolName: 'ask_expert', toolArguments: '{"q":"?"}' });
  t.match(sub, { kind: 'subagent', agentId: 'run-2', parentAgentId: 'run-1', depth: 1, toolCallId: 'c1', sessionId: 'conv-1' });
  t.match(old, { kind: 'tool', toolName: 'old_tool', toolResult: 'ok' });
});

t.test('negative', async (t) => {
  const [s] = makeSpans([{ name: 'chat x', spanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'chat' } }], { scope: 'logfire' });
  t.notOk(pydanticAiSpans.matches(s));
});
