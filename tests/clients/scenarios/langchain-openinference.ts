// LangChain 1.x createAgent (a LangGraph graph) on ChatOpenAI, traced by
// @arizeai/openinference-instrumentation-langchain. @langchain/openai is pinned at 1.5.8: from 1.5.9 it
// requires Node 22.
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createAgent } from 'langchain';
import { z } from 'zod';
import { type Scenario, scriptTools } from './types.js';

export const scenario: Scenario = {
  service: 'langchain-openinference-app',
  agent: 'weather_docs_agent',
  async run(endpoint, model) {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': this.service }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
    });
    const instrumentation = new LangChainInstrumentation({ tracerProvider: provider });
    instrumentation.manuallyInstrument(CallbackManagerModule);
    const impl = scriptTools();
    const agent = createAgent({
      name: this.agent,
      model: new ChatOpenAI({ model: 'gpt-fake-1', apiKey: 'test', configuration: { baseURL: model.url } }),
      systemPrompt: 'Answer weather questions; look things up in the docs.',
      tools: [
        tool((input: { city: string }) => impl.getWeather(input.city), { name: 'get_weather', description: 'Current weather of a city', schema: z.object({ city: z.string() }) }),
        tool((input: { query: string }) => impl.searchDocs(input.query), { name: 'search_docs', description: 'Searches the docs', schema: z.object({ query: z.string() }) }),
      ],
    });
    const result = await agent.invoke({ messages: [{ role: 'user', content: 'What is the weather in Paris, and what do the docs say?' }] });
    // LangChain runs its callbacks (where the spans end) in the background: wait for them before flushing.
    await awaitAllCallbacks();
    await provider.shutdown();
    const last = result.messages[result.messages.length - 1];
    return typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
  },
};
