// A real Vercel AI SDK agent (generateText with tools, a mock model from ai/test, telemetry on) exporting
// through the real OpenTelemetry SDK and OTLP/HTTP exporter to the running service: the stored records
// show each LLM step and tool call with names, arguments, results, and the tool that threw.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import t from 'tap';
import { z } from 'zod';
import { startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
});

// Step 1 calls both tools, step 2 answers.
const model = new MockLanguageModelV3({
  provider: 'mockai.chat',
  modelId: 'mock-model-1',
  doGenerate: [
    {
      content: [
        { type: 'tool-call', toolCallId: 'call_weather', toolName: 'weather', input: JSON.stringify({ city: 'Lyon' }) },
        { type: 'tool-call', toolCallId: 'call_db', toolName: 'queryDb', input: JSON.stringify({ sql: 'select 1' }) },
      ],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: usage(120, 30),
      warnings: [],
    },
    {
      content: [{ type: 'text', text: 'It is sunny in Lyon; the database is down.' }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: usage(200, 15),
      warnings: [],
    },
  ],
});

// The set-up the AI SDK docs give for Node: the OpenTelemetry NodeSDK (global tracer and context manager).
const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': 'vercel-agent' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` }))],
});
sdk.start();

const result = await generateText({
  model,
  prompt: 'Weather in Lyon, and is the database up?',
  tools: {
    weather: tool({
      description: 'Current weather of a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 21 }),
    }),
    queryDb: tool({
      description: 'Runs SQL',
      inputSchema: z.object({ sql: z.string() }),
      execute: async (): Promise<{ rows: number }> => {
        throw new Error('connection refused: db:5432');
      },
    }),
  },
  stopWhen: stepCountIs(4),
  experimental_telemetry: { isEnabled: true, functionId: 'weather-agent' },
});
await sdk.shutdown(); // flushes
await svc.normalizer.flush();

interface Row {
  kind: string;
  dialect: string;
  name: string;
  trace_id: string;
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
  error_message: string;
  input_messages: string;
  output_messages: string;
  failure_modes: string[];
}

const rows = await svc.rows<Row>(
  `SELECT kind, dialect, name, trace_id, request_model, provider, input_tokens, output_tokens, finish_reason, tool_name, tool_call_id,
          tool_arguments, tool_result, status, error_message, input_messages, output_messages, failure_modes
     FROM operations FINAL WHERE service_name = 'vercel-agent' ORDER BY start_time, kind`,
);

t.test('the SDK ran the loop', async (t) => {
  t.equal(result.steps.length, 2);
  t.match(result.text, /sunny/);
});

t.test('one trace, recognized as the Vercel AI SDK', async (t) => {
  t.equal(new Set(rows.map((r) => r.trace_id)).size, 1);
  t.ok(rows.every((r) => r.dialect === 'vercel-ai'), rows.map((r) => `${r.name}:${r.dialect}`).join(', '));
  t.equal(rows.filter((r) => r.kind === 'agent').length, 1, 'the generateText call is the agent run');
});

t.test('each LLM step', async (t) => {
  const llm = rows.filter((r) => r.kind === 'llm');
  t.equal(llm.length, 2);
  t.same(llm.map((r) => [r.request_model, r.provider, Number(r.input_tokens), Number(r.output_tokens), r.finish_reason]), [
    ['mock-model-1', 'mockai', 120, 30, 'tool_call'],
    ['mock-model-1', 'mockai', 200, 15, 'stop'],
  ]);
  const firstOut = JSON.parse(llm[0].output_messages) as { role: string; parts: { type: string; name?: string }[] }[];
  t.same(
    firstOut.flatMap((m) => m.parts.filter((p) => p.type === 'tool_call').map((p) => p.name)),
    ['weather', 'queryDb'],
    'the first step asked for both tools',
  );
  const secondIn = JSON.parse(llm[1].input_messages) as { role: string }[];
  t.ok(secondIn.some((m) => m.role === 'tool'), 'the second step saw the tool results');
  t.match(llm[1].output_messages, /sunny in Lyon/);
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
  t.same(JSON.parse(tools[1].tool_arguments), { city: 'Lyon' });
  t.match(JSON.parse(tools[1].tool_result), { sky: 'sunny', celsius: 21 });
  t.same(JSON.parse(tools[0].tool_arguments), { sql: 'select 1' });
  t.match(tools[0].error_message, /connection refused: db:5432/);
  t.same(tools[0].failure_modes, ['tool_error'], 'found as a tool_error');
});
