// Google ADK: gcp.vertex.agent scope, llm_request/llm_response JSON, AgentTool subagents; the bare span of a
// tool that threw, its error recovered from the next model request (the real 2.0.0 capture).
import t from 'tap';
import { detectRun, detectSpan } from '../../src/analysis/detect.js';
import { googleAdkSpans } from '../../src/normalize/dialects/google-adk.js';
import { normalizeSpans } from '../../src/normalize/index.js';
import { cmpNanos } from '../../src/normalize/values.js';
import { capture } from './captures.js';
import { makeSpans } from './helpers.js';

t.test('invocation > invoke_agent > call_llm + execute_tool(AgentTool) > invoke_agent', async (t) => {
  const sys = { 'gen_ai.system': 'gcp.vertex.agent' };
  const llmRequest = {
    model: 'gemini-2.5-flash',
    config: { system_instruction: 'You are a planner.', tools: [{ function_declarations: [{ name: 'researcher', description: 'r' }] }] },
    contents: [{ role: 'user', parts: [{ text: 'plan a trip' }] }],
  };
  const llmResponse = { content: { role: 'model', parts: [{ function_call: undefined, functionCall: { name: 'researcher', args: { topic: 'Oslo' } } }] }, finish_reason: 'STOP', usage_metadata: { prompt_token_count: 80, candidates_token_count: 9 } };
  const spans = makeSpans(
    [
      { name: 'invocation', spanId: '0000000000000001', attrs: { 'gcp.vertex.agent.invocation_id': 'e-1' } },
      { name: 'invoke_agent planner', spanId: '0000000000000002', parentSpanId: '0000000000000001', attrs: { ...sys, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.conversation.id': 'sess-1' } },
      {
        name: 'call_llm',
        spanId: '0000000000000003',
        parentSpanId: '0000000000000002',
        attrs: { ...sys, 'gen_ai.request.model': 'gemini-2.5-flash', 'gcp.vertex.agent.llm_request': JSON.stringify(llmRequest), 'gcp.vertex.agent.llm_response': JSON.stringify(llmResponse) },
      },
      {
        name: 'execute_tool researcher',
        spanId: '0000000000000004',
        parentSpanId: '0000000000000002',
        attrs: { ...sys, 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'researcher', 'gen_ai.tool.type': 'AgentTool', 'gen_ai.tool.call.id': 'adk-1', 'gcp.vertex.agent.tool_call_args': '{"topic":"Oslo"}', 'gcp.vertex.agent.tool_response': '{"result":"fjords"}' },
      },
      { name: 'invoke_agent researcher', spanId: '0000000000000005', parentSpanId: '0000000000000004', attrs: { ...sys, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'researcher' } },
    ],
    { scope: 'gcp.vertex.agent' },
  );
  for (const s of spans) t.ok(googleAdkSpans.matches(s));
  const [inv, planner, llm, tool, researcher] = normalizeSpans(spans);
  t.equal(inv.kind, 'other');
  t.match(planner, { kind: 'agent', agentName: 'planner', depth: 0 });
  t.match(llm, { kind: 'llm', provider: '', inputTokens: 80, outputTokens: 9, finishReason: 'stop', sessionId: 'sess-1', agentName: 'planner' });
  t.same(llm.inputMessages, [
    { role: 'system', parts: [{ type: 'text', text: 'You are a planner.' }] },
    { role: 'user', parts: [{ type: 'text', text: 'plan a trip' }] },
  ]);
  t.same(llm.outputMessages, [{ role: 'assistant', parts: [{ type: 'tool_call', id: '', name: 'researcher', arguments: '{"topic":"Oslo"}' }] }]);
  t.same(llm.tools, [{ name: 'researcher', description: 'r' }]);
  t.match(tool, { kind: 'tool', toolArguments: '{"topic":"Oslo"}', toolResult: '{"result":"fjords"}' });
  t.match(researcher, { kind: 'subagent', parentAgentId: planner.agentId, toolCallId: 'adk-1', depth: 1 });
});

t.test('transfer_to_agent is a handoff; negative', async (t) => {
  const [h] = normalizeSpans(
    makeSpans([{ name: 'execute_tool transfer_to_agent', spanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'transfer_to_agent', 'gcp.vertex.agent.tool_call_args': '{"agent_name":"billing"}' } }], { scope: 'gcp.vertex.agent' }),
  );
  t.equal(h.kind, 'handoff');
  const [s] = makeSpans([{ name: 'call_llm', spanId: '0000000000000001', attrs: { 'gen_ai.system': 'vertex_ai' } }], { scope: 'google.genai' });
  t.notOk(googleAdkSpans.matches(s));
});

// The real @google/adk 2.0.0 capture (fixtures/README.md): the scripted run of tests/clients/google-adk.test.ts.
t.test('the real 2.0.0 capture: the bare span of the tool that threw gets its name, arguments and error', async (t) => {
  const { spans } = capture('google-adk-2.0.0');
  const bare = spans.find((s) => s.name === 'execute_tool get_weather' && Object.keys(s.attributes.values).length === 0);
  t.ok(bare, 'ADK leaves the failed call without attributes');
  t.equal(bare?.statusCode, 0, '... and without an error status');
  const ops = normalizeSpans(spans);
  t.same(
    ops.filter((o) => o.kind === 'llm').map((o) => [o.inputTokens, o.outputTokens, o.requestModel]),
    Array(6).fill([100, 10, 'gemini-2.5-flash']),
    'six model calls',
  );
  const tools = ops.filter((o) => o.kind === 'tool').sort((a, b) => cmpNanos(a.startTimeUnixNano, b.startTimeUnixNano));
  t.same(
    tools.map((o) => [o.toolName, JSON.parse(o.toolArguments), o.status, o.toolCallId.startsWith('adk-')]),
    [
      ['get_weather', { city: 'Paris' }, 'error', false],
      ['get_weather', { city: 'Paris' }, 'unset', true],
      ['search_docs', { query: 'umbrella' }, 'unset', true],
      ['search_docs', { query: 'umbrella' }, 'unset', true],
      ['search_docs', { query: 'umbrella' }, 'unset', true],
    ],
  );
  t.equal(tools[0].errorMessage, "Error in tool 'get_weather': weather service unavailable for Paris");
  t.same(JSON.parse(tools[0].toolResult), { error: "Error in tool 'get_weather': weather service unavailable for Paris" });
  t.ok(ops.every((o) => o.depth === 0 && o.kind !== 'subagent' && (o.kind === 'other' || o.agentName === 'weather_docs_agent')), 'one agent');
  const found = [...ops.flatMap(detectSpan), ...detectRun(ops)];
  t.same(found.map((f) => [f.mode, f.toolName]).sort(), [['repeated_tool_call', 'search_docs'], ['tool_error', 'get_weather']], 'no invalid_tool_arguments on the OBJECT/STRING schemas');
});

t.test('the outcome from the next request: by id, by position among parallel calls, never by guess', async (t) => {
  const sys = { 'gen_ai.system': 'gcp.vertex.agent' };
  const call = (name: string, args: unknown, id?: string) => ({ functionCall: { name, args, ...(id ? { id } : {}) } });
  const reply = (name: string, response: unknown, id?: string) => ({ functionResponse: { name, response, ...(id ? { id } : {}) } });
  const user = { role: 'user', parts: [{ text: 'go' }] };
  const asked = { role: 'model', parts: [call('lookup', { k: 1 }), call('lookup', { k: 2 }), call('fetch', { u: 'x' }, 'fc-9')] };
  const build = (echo: unknown, replies: unknown[]) =>
    makeSpans(
      [
        { name: 'call_llm', spanId: '00000000000000a1', attrs: { ...sys, 'gcp.vertex.agent.llm_request': JSON.stringify({ contents: [user] }), 'gcp.vertex.agent.llm_response': JSON.stringify({ content: asked }) } },
        { name: 'execute_tool lookup', spanId: '00000000000000b1', parentSpanId: '00000000000000a1' },
        { name: 'execute_tool lookup', spanId: '00000000000000b2', parentSpanId: '00000000000000a1' },
        { name: 'execute_tool fetch', spanId: '00000000000000b3', parentSpanId: '00000000000000a1' },
        { name: 'call_llm', spanId: '00000000000000a2', attrs: { ...sys, 'gcp.vertex.agent.llm_request': JSON.stringify({ contents: [user, echo, { role: 'user', parts: replies }] }) } },
      ],
      { scope: 'gcp.vertex.agent' },
    );
  const replies = [reply('lookup', { output: 'one' }), reply('lookup', { error: 'boom' }), reply('fetch', { error: 'gone' }, 'fc-9')];
  const tools = normalizeSpans(build(asked, replies)).filter((o) => o.kind === 'tool');
  t.same(
    tools.map((o) => [o.toolName, o.toolArguments, o.toolCallId, o.status, o.errorMessage]),
    [
      ['lookup', '{"k":1}', '', 'unset', ''],
      ['lookup', '{"k":2}', '', 'error', 'boom'],
      ['fetch', '{"u":"x"}', 'fc-9', 'error', 'gone'],
    ],
  );
  // The next request does not repeat the asking call's output: the calls without id stay as they were.
  const other = { role: 'model', parts: [call('lookup', { k: 3 }), call('lookup', { k: 2 }), call('fetch', { u: 'x' }, 'fc-9')] };
  const unmatched = normalizeSpans(build(other, replies)).filter((o) => o.kind === 'tool');
  t.same(
    unmatched.map((o) => [o.toolName, o.toolArguments, o.status]),
    [
      ['lookup', '', 'unset'],
      ['lookup', '', 'unset'],
      ['fetch', '{"u":"x"}', 'error'],
    ],
    'only the call found by its id',
  );
});

t.test('execute_tool (merged) over parallel calls is not a call', async (t) => {
  const [merged] = normalizeSpans(
    makeSpans(
      [{ name: 'execute_tool (merged)', spanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': '(merged tools)', 'gcp.vertex.agent.tool_call_args': 'N/A' } }],
      { scope: 'gcp.vertex.agent' },
    ),
  );
  t.equal(merged.kind, 'other');
  t.equal(merged.toolName, '');
});
