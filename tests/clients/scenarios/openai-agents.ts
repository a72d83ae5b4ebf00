// OpenAI Agents SDK with the OpenInference trace processor, on the Responses API.
// @openai/agents is pinned at 0.14.3: from 0.15 it needs openai 7, which requires Node 22.
import { OpenAIAgentsInstrumentation } from '@arizeai/openinference-instrumentation-openai-agents';
import * as agents from '@openai/agents';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { z } from 'zod';
import { type Scenario, scriptTools } from './types.js';

export const scenario: Scenario = {
  service: 'openai-agents-app',
  agent: 'WeatherDocsAgent',
  async run(endpoint, model) {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': this.service }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
    });
    const instrumentation = new OpenAIAgentsInstrumentation({ tracerProvider: provider });
    instrumentation.manuallyInstrument(agents);
    agents.setDefaultOpenAIClient(new OpenAI({ apiKey: 'test', baseURL: model.url }));
    const impl = scriptTools();
    const agent = new agents.Agent({
      name: this.agent,
      instructions: 'Answer weather questions; look things up in the docs.',
      model: 'gpt-fake-1',
      tools: [
        agents.tool({ name: 'get_weather', description: 'Current weather of a city', parameters: z.object({ city: z.string() }), execute: ({ city }) => impl.getWeather(city) }),
        agents.tool({ name: 'search_docs', description: 'Searches the docs', parameters: z.object({ query: z.string() }), execute: ({ query }) => impl.searchDocs(query) }),
      ],
    });
    const result = await agents.run(agent, 'What is the weather in Paris, and what do the docs say?', { maxTurns: 10 });
    await agents.getGlobalTraceProvider().forceFlush();
    await provider.shutdown();
    return String(result.finalOutput);
  },
};
