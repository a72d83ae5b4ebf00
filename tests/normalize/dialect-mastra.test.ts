// Mastra: new semconv converter and the old span-converter shape.
import t from 'tap';
import { mastraSpans } from '../../src/normalize/dialects/mastra.js';
import { normalizeSpans } from '../../src/normalize/index.js';
import { makeSpans } from './helpers.js';

t.test('new converter: agent > chat + tool, non-standard usage keys, JSON-string finish reasons', async (t) => {
  const spans = makeSpans(
    [
      { name: 'invoke_agent weather', spanId: '0000000000000001', kind: 2, attrs: { 'mastra.span.type': 'AGENT_RUN', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': 'weatherAgent', 'gen_ai.agent.name': 'Weather', 'gen_ai.conversation.id': 't1' } },
      {
        name: 'chat gpt-4o',
        spanId: '0000000000000002',
        parentSpanId: '0000000000000001',
        kind: 3,
        attrs: {
          'mastra.span.type': 'MODEL_GENERATION',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 70,
          'gen_ai.usage.cached_input_tokens': 64,
          'gen_ai.usage.cache_write_tokens': 3,
          'gen_ai.usage.reasoning_tokens': 2,
          'gen_ai.response.finish_reasons': '["tool-calls"]',
        },
      },
      {
        name: 'execute_tool get-weather',
        spanId: '0000000000000003',
        parentSpanId: '0000000000000001',
        status: { code: 2 },
        attrs: { 'mastra.span.type': 'TOOL_CALL', 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get-weather', 'gen_ai.tool.call.arguments': '{"city":"Oslo"}', 'error.type': 'TOOL_FAILED', 'error.message': 'no such city' },
      },
      { name: 'workflow.run', spanId: '0000000000000004', attrs: { 'mastra.span.type': 'WORKFLOW_RUN' } },
    ],
    { scope: '@mastra/otel' },
  );
  for (const s of spans) t.ok(mastraSpans.matches(s));
  const [agent, chat, tool, wf] = normalizeSpans(spans);
  t.match(agent, { kind: 'agent', agentId: 'weatherAgent', agentName: 'Weather', sessionId: 't1' });
  t.match(chat, { kind: 'llm', cacheReadTokens: 64, cacheWriteTokens: 3, reasoningTokens: 2, finishReason: 'tool_call', agentId: 'weatherAgent' });
  t.match(tool, { kind: 'tool', toolName: 'get-weather', status: 'error', errorType: 'TOOL_FAILED', errorMessage: 'no such city' });
  t.equal(wf.kind, 'other');
});

t.test('old converter: tool.execute name, gen_ai.tool.* and error=true', async (t) => {
  const [tool] = normalizeSpans(
    makeSpans([{ name: 'tool.execute lookup', spanId: '0000000000000001', attrs: { 'mastra.span.type': 'TOOL_CALL', 'gen_ai.tool.input': '{"id":1}', 'gen_ai.tool.output': 'x', 'gen_ai.tool.success': false, error: true } }]),
  );
  t.match(tool, { kind: 'tool', toolName: 'lookup', toolArguments: '{"id":1}', toolResult: 'x', status: 'error' });
});

t.test('negative', async (t) => {
  const [s] = makeSpans([{ name: 'agent.x', spanId: '0000000000000001', attrs: { 'span.kind': 'agent' } }]);
  t.notOk(mastraSpans.matches(s));
});
