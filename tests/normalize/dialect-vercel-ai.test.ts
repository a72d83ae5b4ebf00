// Vercel AI SDK: legacy ai.* spans and the v7 @ai-sdk/otel semconv spans.
import t from 'tap';
import { vercelAiSpans } from '../../src/normalize/dialects/vercel-ai.js';
import { normalizeSpans } from '../../src/normalize/index.js';
import { exampleSpans, makeSpans } from './helpers.js';

t.test('(a) legacy: generateText > doGenerate > toolCall', async (t) => {
  const spans = exampleSpans('vercel-ai-legacy');
  for (const s of spans) t.ok(vercelAiSpans.matches(s));
  const [root, call, tool] = normalizeSpans(spans);
  t.match(root, { kind: 'agent', agentName: 'test-function-id', inputTokens: 3, outputTokens: 10, finishReason: 'stop' });
  t.same(root.outputMessages, [{ role: 'assistant', parts: [{ type: 'text', text: 'Hello, world!' }] }]);
  t.match(call, { kind: 'llm', requestModel: 'mock-model-id', responseModel: 'test-response-model-id', provider: 'mock-provider', requestId: 'test-id-from-model', inputTokens: 3 });
  t.same(call.inputMessages, [{ role: 'user', parts: [{ type: 'text', text: 'prompt' }] }]);
  t.match(tool, { kind: 'tool', toolName: 'tool1', toolCallId: 'call-1', toolArguments: '{"value":"value"}', toolResult: '"result1"', agentName: 'test-function-id' });
});

t.test('(b) v7: invoke_agent > step > chat / execute_tool > nested invoke_agent (subagent)', async (t) => {
  const ops = normalizeSpans(exampleSpans('vercel-ai-v7-subagent'));
  const [root, step, chat, tool, sub] = ops;
  t.match(root, { kind: 'agent', agentName: 'weather-comparison-agent', depth: 0 });
  t.equal(step.kind, 'other', 'agent_step is structure');
  t.match(chat, { kind: 'llm', finishReason: 'tool_call', cacheReadTokens: 1024, agentName: 'weather-comparison-agent' });
  t.match(tool, { kind: 'tool', toolName: 'researchCity', toolCallId: 'toolu_01Q' });
  t.match(sub, { kind: 'subagent', agentName: 'weather-subagent-tokyo', parentAgentId: root.agentId, depth: 1, toolCallId: 'toolu_01Q' });
});

t.test('legacy: v5 usage names, tool calls in the response, a failing tool, metadata session/user', async (t) => {
  const ops = normalizeSpans(
    makeSpans(
      [
        {
          name: 'ai.streamText.doStream',
          spanId: '0000000000000001',
          attrs: {
            'ai.operationId': 'ai.streamText.doStream',
            'ai.model.id': 'claude-x',
            'ai.model.provider': 'anthropic.messages',
            'ai.usage.inputTokens': 50,
            'ai.usage.outputTokens': 9,
            'ai.usage.cachedInputTokens': 40,
            'ai.usage.reasoningTokens': 3,
            'ai.response.finishReason': 'tool-calls',
            'ai.response.toolCalls': '[{"toolCallType":"function","toolCallId":"c1","toolName":"search","input":"{\\"q\\":\\"x\\"}"}]',
            'ai.response.providerMetadata': '{"anthropic":{"cacheCreationInputTokens":7}}',
            'ai.prompt.tools': ['{"type":"function","name":"search","inputSchema":{"type":"object"}}'],
            'ai.telemetry.metadata.sessionId': 'sess',
            'ai.telemetry.metadata.userId': 'u1',
          },
        },
        {
          name: 'ai.toolCall',
          spanId: '0000000000000002',
          parentSpanId: '0000000000000001',
          status: { code: 2, message: 'search backend down' },
          events: [{ name: 'exception', attrs: { 'exception.type': 'Error', 'exception.message': 'search backend down' } }],
          attrs: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'search', 'ai.toolCall.id': 'c1', 'ai.toolCall.args': '{"q":"x"}' },
        },
      ],
      { scope: 'ai' },
    ),
  );
  t.match(ops[0], { provider: 'anthropic', cacheReadTokens: 40, cacheWriteTokens: 7, reasoningTokens: 3, finishReason: 'tool_call', sessionId: 'sess', userId: 'u1' });
  t.same(ops[0].outputMessages, [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'search', arguments: '{"q":"x"}' }] }]);
  t.same(ops[0].tools, [{ name: 'search', parameters: { type: 'object' } }]);
  t.match(ops[1], { kind: 'tool', status: 'error', errorType: 'Error', errorMessage: 'search backend down', sessionId: 'sess' });
});

t.test('legacy v6 prompt messages: tool-call input objects, tool results by output type (error-text marks a failure)', async (t) => {
  const messages = [
    { role: 'user', content: [{ type: 'text', text: 'Weather in Lyon, and is the database up?' }] },
    {
      role: 'assistant',
      content: [
        { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Lyon' } },
        { type: 'tool-call', toolCallId: 'c2', toolName: 'queryDb', input: { sql: 'select 1' } },
        { type: 'tool-call', toolCallId: 'c3', toolName: 'lookup', input: {} },
      ],
    },
    {
      role: 'tool',
      content: [
        { type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { type: 'json', value: { sky: 'sunny' } } },
        { type: 'tool-result', toolCallId: 'c2', toolName: 'queryDb', output: { type: 'error-text', value: 'connection refused' } },
        { type: 'tool-result', toolCallId: 'c3', toolName: 'lookup', output: { type: 'error-json', value: { code: 404 } } },
      ],
    },
  ];
  const [op] = normalizeSpans(
    makeSpans(
      [
        {
          name: 'ai.generateText.doGenerate',
          spanId: '0000000000000001',
          attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'm', 'ai.model.provider': 'openai.chat', 'ai.prompt.messages': JSON.stringify(messages) },
        },
      ],
      { scope: 'ai' },
    ),
  );
  t.same(op.inputMessages[1].parts, [
    { type: 'tool_call', id: 'c1', name: 'weather', arguments: '{"city":"Lyon"}' },
    { type: 'tool_call', id: 'c2', name: 'queryDb', arguments: '{"sql":"select 1"}' },
    { type: 'tool_call', id: 'c3', name: 'lookup', arguments: '{}' },
  ]);
  t.same(op.inputMessages[2], {
    role: 'tool',
    parts: [
      { type: 'tool_result', id: 'c1', content: '{"sky":"sunny"}', name: 'weather' },
      { type: 'tool_result', id: 'c2', content: 'connection refused', name: 'queryDb', isError: true },
      { type: 'tool_result', id: 'c3', content: '{"code":404}', name: 'lookup', isError: true },
    ],
  });
});

t.test('negative', async (t) => {
  const [a] = makeSpans([{ name: 'ai.generateText', spanId: '0000000000000001', attrs: { foo: 1 } }], { scope: 'my-lib' });
  t.notOk(vercelAiSpans.matches(a), 'the name alone is not enough');
  const [b] = makeSpans([{ name: 'chat x', spanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'chat' } }], { scope: 'opentelemetry.instrumentation.openai_v2' });
  t.notOk(vercelAiSpans.matches(b), 'semconv from another scope is plain semconv');
  t.equal(normalizeSpans([b])[0].dialect, 'otel-genai');
});
