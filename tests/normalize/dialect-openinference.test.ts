// OpenInference: the example payloads, flattened and unflattened lists, negative look-alikes.
import t from 'tap';
import { openInferenceSpans } from '../../src/normalize/dialects/openinference.js';
import { normalizeSpans } from '../../src/normalize/index.js';
import { exampleSpans, makeSpans } from './helpers.js';

t.test('(a) LLM span: flattened messages, tool call, tokens, cost, session, user', async (t) => {
  const spans = exampleSpans('openinference-llm');
  t.ok(openInferenceSpans.matches(spans[0]));
  const [op] = normalizeSpans(spans);
  t.match(op, {
    kind: 'llm',
    dialect: 'openinference',
    requestModel: 'gpt-3.5-turbo-0613',
    provider: 'openai',
    inputTokens: 229,
    outputTokens: 21,
    cacheReadTokens: 128,
    costUsd: 0.00041,
    sessionId: '26bcd3d2-cad2-443d-a23c-625e47f3324a',
    userId: '9328ae73-7141-4f45-a044-8e06192aa465',
    status: 'ok',
  });
  t.same(op.inputMessages, [{ role: 'user', parts: [{ type: 'text', text: 'what is 23 times 87' }] }]);
  t.same(op.outputMessages, [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_Re47Qyh8AggDGEEzlhb4fu7h', name: 'multiply', arguments: '{"a": 23, "b": 87}' }] }]);
  t.same(op.tools, [{ name: 'multiply' }]);
});

t.test('(b) Claude Agent SDK: AGENT under the Agent TOOL is a subagent with its own tool', async (t) => {
  const ops = normalizeSpans(exampleSpans('openinference-claude-sdk-subagent'));
  const [root, agentTool, sub, bash] = ops;
  t.match(root, { kind: 'agent', depth: 0, costUsd: 0.0421 });
  t.match(agentTool, { kind: 'tool', toolName: 'Agent', toolCallId: 'toolu_01XyZ', toolResult: 'README.md\nsrc/' });
  t.match(sub, { kind: 'subagent', parentAgentId: root.agentId, depth: 1, toolCallId: 'toolu_01XyZ', toolName: 'Agent' });
  t.match(bash, { kind: 'tool', toolName: 'Bash', agentId: sub.agentId, depth: 1, sessionId: root.sessionId });
});

t.test('content parts, tool results, handoffs, graph parent, gen_ai fallback', async (t) => {
  const ops = normalizeSpans(
    makeSpans([
      {
        name: 'llm',
        spanId: '0000000000000001',
        attrs: {
          'openinference.span.kind': 'LLM',
          'llm.input_messages.0.message.role': 'user',
          'llm.input_messages.0.message.contents.0.message_content.type': 'text',
          'llm.input_messages.0.message.contents.0.message_content.text': 'look',
          'llm.input_messages.0.message.contents.1.message_content.type': 'image',
          'llm.input_messages.0.message.contents.1.message_content.image.image.url': 'https://x/y.png',
          'llm.input_messages.1.message.role': 'tool',
          'llm.input_messages.1.message.tool_call_id': 'call_1',
          'llm.input_messages.1.message.content': '42',
          'gen_ai.request.model': 'gpt-5',
        },
      },
      { name: 'handoff to billing', spanId: '0000000000000002', attrs: { 'openinference.span.kind': 'TOOL', 'input.value': 'triage', 'output.value': 'billing' } },
      { name: 'billing', spanId: '0000000000000003', attrs: { 'openinference.span.kind': 'AGENT', 'agent.name': 'billing', 'graph.node.id': 'billing', 'graph.node.parent_id': 'triage' } },
    ]),
  );
  t.equal(ops[0].requestModel, 'gpt-5', 'gen_ai.* fills what OpenInference lacks');
  t.equal(ops[0].inputMessages[0].parts[0].type, 'text');
  t.equal(ops[0].inputMessages[0].parts[1].type, 'media');
  t.same(ops[0].inputMessages[1], { role: 'tool', parts: [{ type: 'tool_result', id: 'call_1', content: '42' }] });
  t.match(ops[1], { kind: 'handoff', agentName: 'triage' });
  t.match(ops[2], { kind: 'subagent', parentAgentId: 'triage', agentId: 'billing' });
});

t.test('negative', async (t) => {
  const [span] = makeSpans([{ name: 'x', spanId: '0000000000000001', attrs: { 'input.value': 'hi', 'llm.model_name': 'gpt' } }]);
  t.notOk(openInferenceSpans.matches(span), 'input.value/llm.* alone is not OpenInference');
});
