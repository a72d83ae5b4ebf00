// A real Vercel AI SDK agent (generateText with tools, a mock model from ai/test, telemetry on, NodeSDK exporting
// over OTLP/HTTP) exported back: openai-chat and trl hold the system prompt, the user's prompt and the messages the
// SDK itself reports in result.response.messages, with the same tool call ids, arguments and results.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import t from 'tap';
import { z } from 'zod';
import { writeExport } from '../../src/exporters/index.js';
import { startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
});

const model = new MockLanguageModelV3({
  provider: 'mockai.chat',
  modelId: 'mock-model-1',
  doGenerate: [
    {
      content: [
        { type: 'text', text: 'Let me look.' },
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

const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': 'vercel-agent' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` }))],
});
sdk.start();
const SYSTEM = 'You check weather and databases.';
const PROMPT = 'Weather in Lyon, and is the database up?';
const result = await generateText({
  model,
  system: SYSTEM,
  prompt: PROMPT,
  tools: {
    weather: tool({ description: 'Current weather of a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 21 }) }),
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
await sdk.shutdown();
await svc.normalizer.flush();

const out = mkdtempSync(join(tmpdir(), 'tracemill-vercel-export-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));
const lines = (dir: string) =>
  readFileSync(join(out, dir, 'train.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { messages: Record<string, unknown>[]; tools: unknown[] });
const base = { from: new Date('2000-01-01T00:00:00Z'), service: 'vercel-agent', blamed: 'keep' } as const;

// The SDK's own record of the conversation: response.messages (assistant and tool messages of every step).
type Part = { type: string; text?: string; toolCallId?: string; toolName?: string; input?: unknown; output?: { type: string; value: unknown } };
const sdkMessages = result.response.messages as unknown as { role: string; content: string | Part[] }[];
const resultText = (o: Part['output']) => (typeof o?.value === 'string' ? o.value : JSON.stringify(o?.value));

t.test('the SDK ran both steps and reports the conversation', async (t) => {
  t.equal(result.steps.length, 2);
  t.same(sdkMessages.map((m) => m.role), ['assistant', 'tool', 'assistant']);
});

t.test('openai-chat: system, prompt and every message the SDK reports', async (t) => {
  const m = await writeExport(svc.store, { format: 'openai-chat', ...base }, join(out, 'openai'));
  t.equal(m.counts.examples, 1, JSON.stringify(m.counts));
  const [row] = lines('openai');
  const expected: unknown[] = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: PROMPT },
  ];
  for (const msg of sdkMessages) {
    const parts = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : msg.content;
    if (msg.role === 'assistant') {
      const texts = parts.filter((p) => p.type === 'text').map((p) => p.text);
      const calls = parts.filter((p) => p.type === 'tool-call');
      expected.push({
        role: 'assistant',
        content: texts.length ? texts.join('') : null,
        ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.toolCallId, type: 'function', function: { name: c.toolName, arguments: JSON.stringify(c.input) } })) } : {}),
        weight: 1,
      });
    } else for (const p of parts) expected.push({ role: 'tool', tool_call_id: p.toolCallId, content: resultText(p.output) });
  }
  t.same(row.messages, expected);
  t.same(
    (row.tools as { function: { name: string } }[]).map((x) => x.function.name).sort(),
    ['queryDb', 'weather'],
  );
});

t.test('trl: the same conversation with arguments as objects', async (t) => {
  await writeExport(svc.store, { format: 'trl', ...base }, join(out, 'trl'));
  const [row] = lines('trl');
  const calls = sdkMessages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content.filter((p) => p.type === 'tool-call')));
  const assistantCalls = row.messages.flatMap((m) => (m.tool_calls as { id: string; function: { name: string; arguments: unknown } }[] | undefined) ?? []);
  t.same(
    assistantCalls,
    calls.map((c) => ({ id: c.toolCallId, type: 'function', function: { name: c.toolName, arguments: c.input } })),
  );
  const results = sdkMessages.flatMap((m) => (m.role === 'tool' && typeof m.content !== 'string' ? m.content : []));
  t.same(
    row.messages.filter((m) => m.role === 'tool'),
    results.map((p) => ({ role: 'tool', tool_call_id: p.toolCallId, name: p.toolName, content: resultText(p.output) })),
  );
});
