// Google ADK: gcp.vertex.agent scope, llm_request/llm_response JSON, AgentTool subagents.
import t from 'tap';
import { googleAdkSpans } from '../../src/normalize/dialects/google-adk.js';
import { normalizeSpans } from '../../src/normalize/index.js';
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
