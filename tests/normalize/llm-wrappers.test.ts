// One request, one LLM call (src/normalize/llm-wrappers.ts), and tool calls named from the model's request
// (src/normalize/tool-from-request.ts), over semconv spans shaped like the frameworks' (see tests/clients).
import t from 'tap';
import { normalizeSpans } from '../../src/normalize/index.js';
import { makeSpans } from './helpers.js';

const chat = (extra: Record<string, unknown> = {}) => ({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm1', 'gen_ai.provider.name': 'openai', ...extra });
const ms = (n: number) => String(1_700_000_000_000_000_000n + BigInt(n) * 1_000_000n);

t.test('a framework span with the client span under it is one LLM call', async (t) => {
  const ops = normalizeSpans(
    makeSpans([
      { name: 'agent', spanId: '6131000000000000', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'A' }, start: ms(0), end: ms(100) },
      { name: 'chat m1', spanId: '6631000000000000', parentSpanId: '6131000000000000', attrs: chat(), start: ms(1), end: ms(50) },
      { name: 'chat m1', spanId: '6331000000000000', parentSpanId: '6631000000000000', attrs: chat({ 'gen_ai.response.id': 'r1', 'gen_ai.usage.input_tokens': 7 }), start: ms(2), end: ms(49) },
    ]),
  );
  t.same(ops.map((o) => [o.spanId, o.kind]), [['6131000000000000', 'agent'], ['6631000000000000', 'other'], ['6331000000000000', 'llm']]);
  t.match(ops.find((o) => o.spanId === '6331000000000000'), { requestId: 'r1', inputTokens: 7, agentName: 'A' });
});

t.test('siblings: the wrapper is the one whose time range holds the other', async (t) => {
  const ops = normalizeSpans(
    makeSpans([
      { name: 'agent', spanId: '6131000000000000', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'A' }, start: ms(0), end: ms(100) },
      { name: 'chat m1', spanId: '6631000000000000', parentSpanId: '6131000000000000', attrs: chat(), start: ms(1), end: ms(50) },
      { name: 'chat m1', spanId: '6331000000000000', parentSpanId: '6131000000000000', attrs: chat({ 'gen_ai.response.id': 'r1' }), start: ms(2), end: ms(49) },
      { name: 'chat m1', spanId: '6332000000000000', parentSpanId: '6131000000000000', attrs: chat({ 'gen_ai.response.id': 'r2' }), start: ms(60), end: ms(70) },
    ]),
  );
  t.same(ops.filter((o) => o.kind === 'llm').map((o) => o.spanId), ['6331000000000000', '6332000000000000']);
});

t.test('two calls that do not nest, or of different models, stay two', async (t) => {
  const ops = normalizeSpans(
    makeSpans([
      { name: 'chat m1', spanId: '7831000000000000', attrs: chat(), start: ms(0), end: ms(50) },
      { name: 'chat m1', spanId: '7832000000000000', attrs: chat(), start: ms(10), end: ms(60) },
      { name: 'chat m2', spanId: '7833000000000000', parentSpanId: '7831000000000000', attrs: chat({ 'gen_ai.request.model': 'm2' }), start: ms(11), end: ms(20) },
      { name: 'chat m1', spanId: '7834000000000000', attrs: chat(), start: ms(70), end: ms(80) },
      { name: 'chat m1', spanId: '7835000000000000', attrs: chat(), start: ms(70), end: ms(80) },
    ]),
  );
  t.same(ops.filter((o) => o.kind === 'llm').map((o) => o.spanId).sort(), ['7831000000000000', '7832000000000000', '7833000000000000', '7834000000000000', '7835000000000000']);
});

t.test('a tool call that does not name its tool gets it from the request with the same arguments', async (t) => {
  const out = (id: string, name: string, args: string) => JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id, name, arguments: JSON.parse(args) }] }]);
  const ops = normalizeSpans(
    makeSpans([
      { name: 'chat m1', spanId: '6c31000000000000', attrs: chat({ 'gen_ai.output.messages': out('call_1', 'get_weather', '{"city":"Paris","days":1}') }), start: ms(0), end: ms(10) },
      { name: 'execute_tool', spanId: '7431000000000000', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.arguments': '{"days":1, "city":"Paris"}' }, start: ms(11), end: ms(12) },
      { name: 'chat m1', spanId: '6c32000000000000', attrs: chat({ 'gen_ai.output.messages': out('call_2', 'get_weather', '{"city":"Paris","days":1}') }), start: ms(13), end: ms(20) },
      { name: 'execute_tool', spanId: '7432000000000000', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.arguments': '{"city":"Paris","days":1}' }, start: ms(21), end: ms(22) },
      { name: 'execute_tool', spanId: '7433000000000000', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.arguments': '{"city":"Rome"}' }, start: ms(23), end: ms(24) },
    ]),
  );
  t.same(
    ops.filter((o) => o.kind === 'tool').map((o) => [o.spanId, o.toolName, o.toolCallId]),
    [
      ['7431000000000000', 'get_weather', 'call_1'],
      ['7432000000000000', 'get_weather', 'call_2'],
      ['7433000000000000', '', ''],
    ],
    'each request claimed once; arguments nobody asked for stay unnamed',
  );
});

t.test('a tool run inside the model step that asked for it (Mastra) answers that step', async (t) => {
  const out = (id: string) => JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id, name: 'get_weather', arguments: { city: 'Paris' } }] }]);
  const tool = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.arguments': '{"city":"Paris"}' };
  const ops = normalizeSpans(
    makeSpans([
      { name: 'step 0', spanId: '5300000000000000', attrs: chat({ 'gen_ai.output.messages': out('call_1') }), start: ms(0), end: ms(20) },
      { name: 'tool', spanId: '7100000000000000', parentSpanId: '5300000000000000', attrs: tool, start: ms(10), end: ms(11) },
      { name: 'step 1', spanId: '5301000000000000', attrs: chat({ 'gen_ai.output.messages': out('call_2') }), start: ms(30), end: ms(50) },
      { name: 'tool', spanId: '7101000000000000', parentSpanId: '5301000000000000', attrs: tool, start: ms(40), end: ms(41) },
    ]),
  );
  t.same(ops.filter((o) => o.kind === 'tool').map((o) => o.toolCallId), ['call_1', 'call_2']);
});
