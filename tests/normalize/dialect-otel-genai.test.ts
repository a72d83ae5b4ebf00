// OTel GenAI semconv: the example payloads, older shapes, compaction flag, cache spellings.
import t from 'tap';
import { otelGenAiLogs, otelGenAiSpans } from '../../src/normalize/dialects/otel-genai.js';
import { mergeOperations, normalizeLogs, normalizeSpans } from '../../src/normalize/index.js';
import { exampleLogs, exampleSpans, makeLogs, makeSpans } from './helpers.js';

t.test('(a) inference span with JSON-string messages', async (t) => {
  const spans = exampleSpans('otel-genai-inference-span');
  t.ok(otelGenAiSpans.matches(spans[0]));
  const [op] = normalizeSpans(spans);
  t.match(op, {
    kind: 'llm',
    dialect: 'otel-genai',
    requestModel: 'gpt-4',
    responseModel: 'gpt-4-0613',
    provider: 'openai',
    inputTokens: 47,
    outputTokens: 17,
    finishReason: 'tool_call', // raw `tool_calls` normalized
    sessionId: 'conv_5j66UpCpwteGg4YSxUnt7lPY',
    requestId: 'chatcmpl-9J3uIL87gldCFtiIbyaOvTeYBRA3l',
    serviceName: 'weather-app',
  });
  t.same(op.inputMessages, [{ role: 'user', parts: [{ type: 'text', text: 'Weather in Paris?' }] }]);
  t.same(op.outputMessages, [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_VSPygqKTWdrhaFErNvMV18Yl', name: 'get_weather', arguments: '{"location":"Paris"}' }] }]);
});

t.test('(b) failed tool under an agent, structured arguments, exception event', async (t) => {
  const ops = normalizeSpans(exampleSpans('otel-genai-failed-tool'));
  const [agent, tool] = ops;
  t.match(agent, { kind: 'agent', agentName: 'support_agent', agentId: 'agent_123', status: 'error', errorType: 'ToolExecutionError', errorMessage: 'tool failed' });
  t.match(tool, {
    kind: 'tool',
    toolName: 'get_order',
    toolCallId: 'toolu_01A09q90qw90lq917835lq9',
    toolArguments: '{"order_id":"A-17"}',
    status: 'error',
    errorType: 'TimeoutError',
    errorMessage: 'orders API timed out after 30s',
    agentId: 'agent_123',
    agentName: 'support_agent',
    sessionId: 'thread_42',
    depth: 0,
  });
});

t.test('(c) inference details log event inside the span: one operation when merged', async (t) => {
  const logs = exampleLogs('otel-genai-details-log');
  t.ok(otelGenAiLogs.matches(logs[0]));
  const fromLogs = normalizeLogs(logs);
  t.equal(fromLogs.length, 1);
  t.match(fromLogs[0], { kind: 'llm', source: 'log', requestModel: 'gemini-2.5-pro', provider: 'gcp.gemini', inputTokens: 12, outputTokens: 40, parentSpanId: 'eee19b7ec3c1b174' });
  t.same(fromLogs[0].inputMessages, [{ role: 'user', parts: [{ type: 'text', text: 'Weather in Paris?' }] }], 'structured AnyValue messages');
  // The same trace/span as example (a): merged into that span's operation, counted once.
  const merged = mergeOperations(normalizeSpans(exampleSpans('otel-genai-inference-span')), fromLogs);
  t.equal(merged.length, 1);
  t.equal(merged[0].source, 'span+log');
  t.equal(merged[0].spanId, 'eee19b7ec3c1b174');
  t.equal(merged[0].inputTokens, 47, 'the span keeps its own values');
});

t.test('older shape: gen_ai.system, deprecated usage names, per-message span events', async (t) => {
  const [op] = normalizeSpans(
    makeSpans([
      {
        name: 'chat gpt-4o',
        spanId: '0000000000000001',
        attrs: { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.prompt_tokens': '120', 'gen_ai.usage.completion_tokens': 7 },
        events: [
          { name: 'gen_ai.system.message', attrs: { content: 'Be brief.' } },
          { name: 'gen_ai.user.message', attrs: { content: 'Hi' } },
          { name: 'gen_ai.choice', attrs: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello!' } } },
        ],
      },
    ]),
  );
  t.match(op, { kind: 'llm', provider: 'openai', inputTokens: 120, outputTokens: 7, finishReason: 'stop' });
  t.same(op.inputMessages, [
    { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
    { role: 'user', parts: [{ type: 'text', text: 'Hi' }] },
  ]);
  t.same(op.outputMessages, [{ role: 'assistant', parts: [{ type: 'text', text: 'Hello!' }] }]);
});

t.test('per-message log events of one span become one operation', async (t) => {
  const at = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' };
  const ops = normalizeLogs(
    makeLogs([
      { ...at, eventName: 'gen_ai.user.message', attrs: { 'gen_ai.system': 'openai' }, body: { content: 'Hi' } },
      { ...at, eventName: 'gen_ai.choice', attrs: { 'gen_ai.system': 'openai' }, body: { index: 0, finish_reason: 'length', message: { content: 'Hel' } } },
      { eventName: 'gen_ai.evaluation.result', attrs: { 'gen_ai.evaluation.name': 'x' } },
    ]),
  );
  t.equal(ops.length, 1);
  t.match(ops[0], { kind: 'llm', finishReason: 'length', parentSpanId: 'eee19b7ec3c1b174' });
  t.equal(ops[0].inputMessages.length, 1);
  t.equal(ops[0].outputMessages[0].parts[0].type, 'text');
});

t.test('system instructions, tool definitions, both cache-write spellings, reasoning, cost', async (t) => {
  const base = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 60 };
  const ops = normalizeSpans(
    makeSpans([
      {
        name: 'chat a',
        spanId: '0000000000000001',
        attrs: {
          ...base,
          'gen_ai.usage.cache_creation.input_tokens': 11,
          'gen_ai.usage.reasoning.output_tokens': '5',
          'gen_ai.usage.cost': 0.25,
          'gen_ai.system_instructions': [{ type: 'text', content: 'You are terse.' }],
          'gen_ai.tool.definitions': '[{"type":"function","name":"get_weather","description":"w","parameters":{"type":"object"}}]',
        },
      },
      { name: 'chat b', spanId: '0000000000000002', attrs: { ...base, 'gen_ai.usage.cache_write.input_tokens': 12 } },
      { name: 'chat c', spanId: '0000000000000003', attrs: { ...base, 'gen_ai.usage.cache_creation_input_tokens': '13' } },
    ]),
  );
  t.same(ops.map((o) => o.cacheWriteTokens), [11, 12, 13]);
  t.same(ops.map((o) => o.cacheReadTokens), [60, 60, 60]);
  t.equal(ops[0].reasoningTokens, 5, 'numbers sent as strings');
  t.equal(ops[0].costUsd, 0.25);
  t.same(ops[0].inputMessages, [{ role: 'system', parts: [{ type: 'text', text: 'You are terse.' }] }]);
  t.same(ops[0].tools, [{ name: 'get_weather', description: 'w', parameters: { type: 'object' } }]);
});

t.test('gen_ai.conversation.compacted marks a compaction record', async (t) => {
  const ops = normalizeSpans(
    makeSpans([
      { name: 'invoke_agent copilot', spanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'c1' } },
      { name: 'chat m', spanId: '0000000000000002', parentSpanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 150000 } },
      { name: 'chat m', spanId: '0000000000000003', parentSpanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 9000, 'gen_ai.conversation.compacted': true } },
    ]),
  );
  const comps = ops.filter((o) => o.kind === 'compaction');
  t.equal(comps.length, 1);
  t.same(comps[0].compaction, { trigger: 'unknown', tokensBefore: 150000, tokensAfter: 9000, estimated: true });
  t.equal(comps[0].sessionId, 'c1');
  t.equal(ops.filter((o) => o.kind === 'llm').length, 2, 'the call itself is still an LLM call');
});

t.test('handoffs, explicit caller, main agent on the resource', async (t) => {
  const ops = normalizeSpans(
    makeSpans(
      [
        { name: 'invoke_agent triage', spanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'gen_ai.agent.id': 'a-triage' } },
        {
          name: 'execute_tool transfer_to_billing billing',
          spanId: '0000000000000002',
          parentSpanId: '0000000000000001',
          attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'transfer_to_billing', 'gen_ai.transfer.target.name': 'billing', 'gen_ai.transfer.mode': 'pass_control' },
        },
        { name: 'invoke_agent helper', spanId: '0000000000000003', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'helper', 'gen_ai.caller.type': 'agent', 'gen_ai.caller.name': 'triage' } },
      ],
      { resource: { 'gen_ai.main_agent.name': 'triage' } },
    ),
  );
  t.equal(ops[0].kind, 'agent', 'the main agent itself');
  t.equal(ops[1].kind, 'handoff');
  t.match(ops[2], { kind: 'subagent', parentAgentId: 'triage', depth: 1 });
});

t.test('negative: spans and logs without gen_ai.* are not semconv', async (t) => {
  const [plain] = makeSpans([{ name: 'GET /users', spanId: '0000000000000001', attrs: { 'http.request.method': 'GET' } }]);
  t.notOk(otelGenAiSpans.matches(plain));
  const [op] = normalizeSpans([plain]);
  t.match(op, { kind: 'other', dialect: 'unknown', name: 'GET /users' });
  const [log] = makeLogs([{ body: 'user logged in', attrs: { 'event.name': 'app.login' } }]);
  t.notOk(otelGenAiLogs.matches(log));
  t.same(normalizeLogs([log]), [], 'unrecognized log records are not operations');
});
