// OpenLLMetry / Traceloop: legacy indexed attributes and the current semconv-based shape.
import t from 'tap';
import { openLlmetrySpans } from '../../src/normalize/dialects/openllmetry.js';
import { normalizeSpans } from '../../src/normalize/index.js';
import { exampleSpans, makeSpans } from './helpers.js';

t.test('legacy indexed form under a workflow', async (t) => {
  const spans = exampleSpans('openllmetry-legacy');
  for (const s of spans) t.ok(openLlmetrySpans.matches(s));
  const [wf, chat] = normalizeSpans(spans);
  t.equal(wf.kind, 'other', 'a workflow is not an agent');
  t.match(chat, {
    kind: 'llm',
    dialect: 'openllmetry',
    provider: 'openai',
    requestModel: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    inputTokens: 15,
    outputTokens: 22,
    cacheReadTokens: 0,
    finishReason: 'tool_call',
    sessionId: 's-12',
    userId: 'u-77',
  });
  t.same(chat.inputMessages, [{ role: 'user', parts: [{ type: 'text', text: 'Tell me a joke about otters' }] }]);
  t.same(chat.outputMessages, [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_abc', name: 'search', arguments: '{"q":"otter facts"}' }] }]);
});

t.test('legacy Anthropic counts exclude the cache; decorators; handoffs; current form', async (t) => {
  const ops = normalizeSpans(
    makeSpans([
      {
        name: 'anthropic.chat',
        spanId: '0000000000000001',
        attrs: { 'llm.request.type': 'chat', 'gen_ai.system': 'Anthropic', 'gen_ai.usage.prompt_tokens': 10, 'gen_ai.usage.completion_tokens': 2, 'gen_ai.usage.cache_read_input_tokens': 100, 'gen_ai.usage.cache_creation_input_tokens': 5 },
      },
      { name: 'researcher.agent', spanId: '0000000000000002', attrs: { 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'researcher' } },
      {
        name: 'search.tool',
        spanId: '0000000000000003',
        parentSpanId: '0000000000000002',
        attrs: { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'search', 'traceloop.entity.input': '{"args": [], "kwargs": {"q": "otters"}}', 'traceloop.entity.output': '"3 results"' },
      },
      { name: 'a → b.handoff', spanId: '0000000000000004', attrs: { 'traceloop.span.kind': 'handoff', 'gen_ai.handoff.from_agent': 'a', 'gen_ai.handoff.to_agent': 'b' } },
      {
        name: 'openai.chat',
        spanId: '0000000000000005',
        attrs: { 'llm.request.type': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 8, 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]', 'gen_ai.tool.definitions': '[{"name":"f"}]' },
      },
    ]),
  );
  t.match(ops[0], { provider: 'anthropic', inputTokens: 115, cacheReadTokens: 100, cacheWriteTokens: 5 });
  t.match(ops[1], { kind: 'agent', agentName: 'researcher' });
  t.match(ops[2], { kind: 'tool', toolName: 'search', toolArguments: '{"q":"otters"}', toolResult: '"3 results"', agentName: 'researcher' });
  t.match(ops[3], { kind: 'handoff', agentName: 'a', toolName: 'b' });
  t.match(ops[4], { kind: 'llm', inputTokens: 8, tools: [{ name: 'f' }] });
  t.same(ops[4].inputMessages, [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }]);
});

t.test('negative', async (t) => {
  const [s] = makeSpans([{ name: 'chat', spanId: '0000000000000001', attrs: { 'gen_ai.prompt.name': 'greeting', 'gen_ai.operation.name': 'chat' } }]);
  t.notOk(openLlmetrySpans.matches(s), 'gen_ai.prompt.name (semconv prompt template) is not an indexed prompt');
});
