// LangChain 1.x createAgent on ChatOpenAI, traced by OpenLLMetry (@traceloop/node-server-sdk), which
// instruments LangChain and the openai client underneath it and exports OTLP/HTTP protobuf to baseUrl.
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import * as traceloop from '@traceloop/node-server-sdk';
import { createAgent } from 'langchain';
import OpenAI from 'openai';
import { z } from 'zod';
import { type Scenario, scriptTools } from './types.js';

export const scenario: Scenario = {
  service: 'langchain-openllmetry-app',
  agent: 'weather_docs_agent',
  async run(endpoint, model) {
    traceloop.initialize({
      appName: this.service,
      baseUrl: endpoint,
      apiKey: 'unused',
      disableBatch: true,
      silenceInitializationMessage: true,
      traceloopSyncEnabled: false,
      // The cast bridges the CommonJS and ESM declarations of the same openai class.
      instrumentModules: { langchain: true, openAI: OpenAI as never },
    });
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
    const result = await traceloop.withAgent({ name: this.agent }, () =>
      agent.invoke({ messages: [{ role: 'user', content: 'What is the weather in Paris, and what do the docs say?' }] }),
    );
    // LangChain runs its callbacks (where the spans end) in the background: wait for them before flushing.
    await awaitAllCallbacks();
    await traceloop.forceFlush();
    const last = result.messages[result.messages.length - 1];
    return typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
  },
};
