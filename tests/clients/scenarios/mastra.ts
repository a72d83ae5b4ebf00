// Mastra with its OpenTelemetry exporter (@mastra/otel-exporter, custom OTLP/HTTP protobuf endpoint), an
// agent on an OpenAI-compatible model config pointed at the fake model. Mastra is pinned at 0.24.9 and the
// exporter at 0.3.3: Mastra 1.x and exporter 0.4+ require Node 22.13.
import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { createTool } from '@mastra/core/tools';
import { OtelExporter } from '@mastra/otel-exporter';
import { z } from 'zod';
import { type Scenario, scriptTools } from './types.js';

export const scenario: Scenario = {
  service: 'mastra-app',
  agent: 'weather-docs-agent',
  async run(endpoint, model) {
    const impl = scriptTools();
    const agent = new Agent({
      name: this.agent,
      instructions: 'Answer weather questions; look things up in the docs.',
      model: { id: 'openai/gpt-fake-1', url: model.url, apiKey: 'test' },
      tools: {
        get_weather: createTool({ id: 'get_weather', description: 'Current weather of a city', inputSchema: z.object({ city: z.string() }), execute: async ({ context }) => impl.getWeather(context.city) }),
        search_docs: createTool({ id: 'search_docs', description: 'Searches the docs', inputSchema: z.object({ query: z.string() }), execute: async ({ context }) => impl.searchDocs(context.query) }),
      },
    });
    const exporter = new OtelExporter({ provider: { custom: { endpoint: `${endpoint}/v1/traces`, protocol: 'http/protobuf' } } });
    const mastra = new Mastra({
      agents: { weatherDocsAgent: agent },
      observability: { configs: { otel: { serviceName: this.service, exporters: [exporter] } } },
    });
    const result = await mastra.getAgent('weatherDocsAgent').generate('What is the weather in Paris, and what do the docs say?', { maxSteps: 10 });
    await mastra.shutdown();
    return result.text;
  },
};
