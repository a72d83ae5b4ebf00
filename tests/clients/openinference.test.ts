// An OpenInference-instrumented agent: the real `openai` client (patched by
// @arizeai/openinference-instrumentation-openai) calls a local OpenAI-compatible server over a socket,
// the agent and its tools are OpenInference AGENT/TOOL spans, one tool fails, and the OpenTelemetry
// NodeSDK exports everything to the running service. The stored records must show it all.
import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { runOpenInferenceAgent } from './scenarios/openinference.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

const { answer, calls } = await runOpenInferenceAgent(svc.httpUrl);
await svc.normalizer.flush();

interface Row {
  kind: string;
  dialect: string;
  name: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  agent_name: string;
  agent_id: string;
  depth: number;
  request_model: string;
  response_model: string;
  provider: string;
  input_tokens: string | null;
  output_tokens: string | null;
  finish_reason: string;
  tool_name: string;
  tool_call_id: string;
  tool_arguments: string;
  tool_result: string;
  status: string;
  error_type: string;
  error_message: string;
  input_messages: string;
  output_messages: string;
  tools: string;
  failure_modes: string[];
}
interface Part {
  type: string;
  id?: string;
  name?: string;
  arguments?: string;
  content?: string;
  text?: string;
}

const rows = await svc.rows<Row>(
  `SELECT kind, dialect, name, trace_id, span_id, parent_span_id, agent_name, agent_id, depth, request_model, response_model, provider,
          input_tokens, output_tokens, finish_reason, tool_name, tool_call_id, tool_arguments, tool_result, status, error_type,
          error_message, input_messages, output_messages, tools, failure_modes
     FROM operations FINAL WHERE service_name = 'openinference-agent' ORDER BY start_time, end_time`,
);
const messages = (json: string) => JSON.parse(json) as { role: string; parts: Part[] }[];
const parts = (json: string, type: string) => messages(json).flatMap((m) => m.parts.filter((p) => p.type === type));
// Span starts are stamped with Date.now() (millisecond resolution): the two tool spans, run back to back,
// usually tie on start_time. The tests tell operations apart by content, not by row order.

t.test('the agent ran against the fake server', async (t) => {
  t.equal(calls, 2);
  t.match(answer, /does not exist/);
});

t.test('one trace of OpenInference records', async (t) => {
  t.equal(rows.length, 5, rows.map((r) => `${r.name}:${r.kind}`).join(', '));
  t.equal(new Set(rows.map((r) => r.trace_id)).size, 1);
  t.ok(rows.every((r) => r.dialect === 'openinference'), rows.map((r) => `${r.name}:${r.dialect}`).join(', '));
});

t.test('the AGENT span is the agent run, and every call runs in it', async (t) => {
  const agents = rows.filter((r) => r.kind === 'agent');
  t.equal(agents.length, 1);
  const [agent] = agents;
  t.match(agent, { name: 'file-agent', parent_span_id: '', agent_name: 'file-agent', agent_id: agent.span_id, depth: 0, status: 'unset' });
  t.same(parts(agent.input_messages, 'text').map((p) => p.text), ['Which files are in /src, and what is in missing.ts?']);
  t.same(parts(agent.output_messages, 'text').map((p) => p.text), ['There is one file; missing.ts does not exist.']);
  for (const r of rows) t.match(r, { agent_id: agent.span_id, agent_name: 'file-agent', depth: 0 }, `${r.name} runs in the agent`);
});

t.test('each LLM call from the instrumented client', async (t) => {
  const llm = rows.filter((r) => r.kind === 'llm');
  t.equal(llm.length, 2);
  const first = llm.find((r) => parts(r.output_messages, 'tool_call').length > 0);
  const second = llm.find((r) => parts(r.input_messages, 'tool_result').length > 0);
  if (!first || !second) return t.fail(`calls not told apart: ${JSON.stringify(llm)}`);
  t.not(first, second);
  t.same([first, second].map((r) => [r.request_model, r.response_model, r.provider, Number(r.input_tokens), Number(r.output_tokens), r.finish_reason, r.status]), [
    ['gpt-fake-1', 'gpt-fake-1', 'openai', 90, 25, 'tool_call', 'ok'],
    ['gpt-fake-1', 'gpt-fake-1', 'openai', 160, 12, 'stop', 'ok'],
  ]);
  t.same(
    parts(first.output_messages, 'tool_call').map((p) => [p.id, p.name, JSON.parse(p.arguments ?? '')]),
    [
      ['call_ls', 'list_files', { dir: '/src' }],
      ['call_cat', 'read_file', { path: '/src/missing.ts' }],
    ],
  );
  for (const r of [first, second]) t.same((JSON.parse(r.tools) as { name: string }[]).map((d) => d.name), ['list_files', 'read_file'], 'the declared tools');
  t.same(messages(second.input_messages).map((m) => m.role), ['user', 'assistant', 'tool', 'tool'], 'the second call saw the calls and their results');
  t.same(parts(second.input_messages, 'tool_call').map((p) => p.id), ['call_ls', 'call_cat']);
  const results = parts(second.input_messages, 'tool_result');
  t.same(results.map((p) => p.id), ['call_ls', 'call_cat']);
  t.same(JSON.parse(results[0].content ?? ''), { files: ['/src/index.ts'] });
  t.match(results[1].content, /ENOENT/);
  t.same(parts(second.output_messages, 'text').map((p) => p.text), ['There is one file; missing.ts does not exist.']);
});

t.test('each tool call, and the failing one', async (t) => {
  const tools = rows.filter((r) => r.kind === 'tool').sort((a, b) => a.tool_name.localeCompare(b.tool_name));
  t.same(
    tools.map((r) => [r.tool_name, r.tool_call_id, r.status]),
    [
      ['list_files', 'call_ls', 'unset'],
      ['read_file', 'call_cat', 'error'],
    ],
  );
  const [ls, cat] = tools;
  t.same(JSON.parse(ls.tool_arguments), { dir: '/src' });
  t.same(JSON.parse(ls.tool_result), { files: ['/src/index.ts'] });
  t.same(ls.failure_modes, []);
  t.same(JSON.parse(cat.tool_arguments), { path: '/src/missing.ts' });
  t.equal(cat.tool_result, '');
  t.equal(cat.error_type, 'Error');
  t.match(cat.error_message, /ENOENT: no such file or directory, open '\/src\/missing.ts'/);
  t.same(cat.failure_modes, ['tool_error']);
});
