// A real Vercel AI SDK agent (generateText with tools, a mock model from ai/test, telemetry on) exporting
// through the real OpenTelemetry SDK and OTLP/HTTP exporter to the running service: the stored records
// show each LLM step and tool call with names, arguments, results, and the tool that threw.
import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { runVercelAgent } from './scenarios/vercel-ai.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

const result = await runVercelAgent(svc.httpUrl);
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
  isError?: boolean;
}
interface Message {
  role: string;
  parts: Part[];
}

const rows = await svc.rows<Row>(
  `SELECT kind, dialect, name, trace_id, span_id, parent_span_id, agent_name, agent_id, depth, request_model, provider, input_tokens,
          output_tokens, finish_reason, tool_name, tool_call_id, tool_arguments, tool_result, status, error_type, error_message,
          input_messages, output_messages, tools, failure_modes
     FROM operations FINAL WHERE service_name = 'vercel-agent' ORDER BY start_time, end_time`,
);
const messages = (json: string) => JSON.parse(json) as Message[];
const parts = (json: string, type: string) => messages(json).flatMap((m) => m.parts.filter((p) => p.type === type));
// The SDK stamps span starts with Date.now() (millisecond resolution), so steps that ran within the same
// millisecond tie on start_time: the tests tell the steps apart by what they contain, not by row order.

t.test('the SDK ran the loop', async (t) => {
  t.equal(result.steps.length, 2);
  t.match(result.text, /sunny/);
});

t.test('one trace, recognized as the Vercel AI SDK', async (t) => {
  t.equal(rows.length, 5, rows.map((r) => `${r.name}:${r.kind}`).join(', '));
  t.equal(new Set(rows.map((r) => r.trace_id)).size, 1);
  t.ok(rows.every((r) => r.dialect === 'vercel-ai'), rows.map((r) => `${r.name}:${r.dialect}`).join(', '));
});

t.test('the generateText call is the agent run, and every step runs in it', async (t) => {
  const agents = rows.filter((r) => r.kind === 'agent');
  t.equal(agents.length, 1);
  const [agent] = agents;
  t.match(agent, { name: 'ai.generateText', parent_span_id: '', agent_name: 'weather-agent', agent_id: agent.span_id, depth: 0, request_model: 'mock-model-1' });
  t.match(agent.output_messages, /sunny in Lyon/);
  for (const r of rows) t.match(r, { agent_id: agent.span_id, agent_name: 'weather-agent', depth: 0 }, `${r.name} ${r.tool_name} runs in the agent`);
});

t.test('each LLM step', async (t) => {
  const llm = rows.filter((r) => r.kind === 'llm');
  t.equal(llm.length, 2);
  const first = llm.find((r) => parts(r.output_messages, 'tool_call').length > 0);
  const second = llm.find((r) => parts(r.input_messages, 'tool_result').length > 0);
  if (!first || !second) return t.fail(`steps not told apart: ${JSON.stringify(llm)}`);
  t.not(first, second);
  t.same([first, second].map((r) => [r.request_model, r.provider, Number(r.input_tokens), Number(r.output_tokens), r.finish_reason]), [
    ['mock-model-1', 'mockai', 120, 30, 'tool_call'],
    ['mock-model-1', 'mockai', 200, 15, 'stop'],
  ]);
  t.same(parts(first.input_messages, 'text').map((p) => p.text), ['Weather in Lyon, and is the database up?']);
  t.same(
    parts(first.output_messages, 'tool_call').map((p) => [p.id, p.name, JSON.parse(p.arguments ?? '')]),
    [
      ['call_weather', 'weather', { city: 'Lyon' }],
      ['call_db', 'queryDb', { sql: 'select 1' }],
    ],
    'the first step asked for both tools',
  );
  for (const r of [first, second]) {
    t.same(
      (JSON.parse(r.tools) as { name: string; description?: string }[]).map((d) => [d.name, d.description]),
      [
        ['weather', 'Current weather of a city'],
        ['queryDb', 'Runs SQL'],
      ],
      'the declared tools',
    );
  }
  const history = messages(second.input_messages);
  t.same(history.map((m) => m.role), ['user', 'assistant', 'tool'], 'the second step saw the question, the calls and their results');
  t.same(parts(second.input_messages, 'tool_call').map((p) => p.id), ['call_weather', 'call_db']);
  const results = parts(second.input_messages, 'tool_result');
  t.same(results.map((p) => [p.id, p.name, p.isError === true]), [
    ['call_weather', 'weather', false],
    ['call_db', 'queryDb', true],
  ]);
  t.match(JSON.parse(results[0].content ?? ''), { sky: 'sunny' });
  t.match(results[1].content, /connection refused: db:5432/);
  t.same(parts(second.output_messages, 'text').map((p) => p.text), ['It is sunny in Lyon; the database is down.']);
});

t.test('each tool call, and the one that threw', async (t) => {
  const tools = rows.filter((r) => r.kind === 'tool').sort((a, b) => a.tool_name.localeCompare(b.tool_name));
  t.same(
    tools.map((r) => [r.tool_name, r.tool_call_id, r.status]),
    [
      ['queryDb', 'call_db', 'error'],
      ['weather', 'call_weather', 'unset'], // the SDK leaves a successful tool span's status unset
    ],
  );
  const [db, weather] = tools;
  t.same(JSON.parse(weather.tool_arguments), { city: 'Lyon' });
  t.same(JSON.parse(weather.tool_result), { city: 'Lyon', sky: 'sunny', celsius: 21 });
  t.same(weather.failure_modes, []);
  t.same(JSON.parse(db.tool_arguments), { sql: 'select 1' });
  t.equal(db.tool_result, '', 'a tool that threw has no result');
  t.equal(db.error_type, 'Error');
  t.match(db.error_message, /connection refused: db:5432/);
  t.same(db.failure_modes, ['tool_error'], 'found as a tool_error');
});
