// Google ADK for TypeScript (@google/adk 2.0.0, the newest release; it declares no engines and runs here on
// Node 20) with an LlmAgent on a Gemini model, whose @google/genai client is pointed at the fake model by
// GOOGLE_GEMINI_BASE_URL. Telemetry is set up the way docs/agent-setup.md says: the OpenTelemetry NodeSDK
// with an OTLP/HTTP protobuf exporter, started before @google/adk is first imported. ADK takes its tracer
// when it loads, and it pins @opentelemetry/api 1.9.0 exactly: next to this repository's 1.9.1 it gets a copy
// of its own, and its own maybeSetOtelProviders() then registers nothing its tracer can reach (no span at
// all). A provider registered before ADK loads is the global ADK's copy finds.
import type * as Adk from '@google/adk';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { type Scenario, scriptTools } from './types.js';

/** The model the agent asks for; the fake model answers under the same name. */
export const GEMINI_MODEL = 'gemini-2.5-flash';

export const scenario: Scenario = {
  service: 'google-adk-app',
  agent: 'weather_docs_agent',
  async run(endpoint, model) {
    const sdk = new NodeSDK({
      resource: resourceFromAttributes({ 'service.name': this.service }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
    });
    sdk.start();
    const { FunctionTool, Gemini, InMemoryRunner, LlmAgent } = (await import('@google/adk')) as typeof Adk;
    process.env.GOOGLE_GEMINI_BASE_URL = model.origin;
    const impl = scriptTools();
    const agent = new LlmAgent({
      name: this.agent,
      description: 'Answers weather questions with the docs.',
      instruction: 'Answer weather questions; look things up in the docs.',
      model: new Gemini({ model: GEMINI_MODEL, apiKey: 'test', vertexai: false }),
      tools: [
        new FunctionTool({ name: 'get_weather', description: 'Current weather of a city', parameters: z.object({ city: z.string() }), execute: ({ city }) => impl.getWeather(city) }),
        new FunctionTool({ name: 'search_docs', description: 'Searches the docs', parameters: z.object({ query: z.string() }), execute: ({ query }) => impl.searchDocs(query) }),
      ],
    });
    const runner = new InMemoryRunner({ agent, appName: 'weather-docs' });
    let answer = '';
    const message = { role: 'user', parts: [{ text: 'What is the weather in Paris, and what do the docs say?' }] };
    for await (const event of runner.runEphemeral({ userId: 'user-1', newMessage: message })) {
      for (const part of event.content?.parts ?? []) if (part.text) answer = part.text;
    }
    await sdk.shutdown(); // flushes
    return answer;
  },
};
