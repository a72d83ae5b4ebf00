// A real Vercel AI SDK agent (generateText with tools, a mock model from ai/test, telemetry on) exporting
// through the real OpenTelemetry SDK and OTLP/HTTP exporter: step 1 calls both tools (queryDb throws),
// step 2 answers. Used by tests/clients/vercel-ai.test.ts, the all-clients test and
// tests/exporters/clients-vercel.test.ts.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import type { Scenario } from './types.js';

export const VERCEL_PROMPT = 'Weather in Lyon, and is the database up?';

/**
 * `system`: a system prompt; `preamble`: text the model writes before its tool calls in step 1 (the corpus
 * exporter test checks both come back).
 */
export async function runVercelAgent(endpoint: string, opts: { system?: string; preamble?: string } = {}) {
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
          ...(opts.preamble ? [{ type: 'text' as const, text: opts.preamble }] : []),
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
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
  });
  sdk.start();

  const result = await generateText({
    model,
    ...(opts.system ? { system: opts.system } : {}),
    prompt: VERCEL_PROMPT,
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
  return result;
}

export const scenario: Scenario = {
  service: 'vercel-agent',
  agent: 'weather-agent',
  async run(endpoint) {
    return (await runVercelAgent(endpoint)).text;
  },
};
