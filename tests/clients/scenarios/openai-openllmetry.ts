// The plain `openai` client in a hand-written agent loop, traced by OpenLLMetry's openai instrumentation
// (@traceloop/instrumentation-openai) under the OpenTelemetry NodeSDK. The instrumentation records the
// model calls only, so the app adds what docs/agent-setup.md recommends: an invoke_agent span around the
// loop and an execute_tool span per tool call, in OpenTelemetry GenAI attributes.
// With `bare`, the app adds nothing (openai-openllmetry-bare.ts).
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import type { FakeModel } from '../../helpers/fake-model.js';
import { type Scenario, scriptTools } from './types.js';

const TOOLS: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
  { type: 'function', function: { name: 'search_docs', description: 'Searches the docs', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } },
];

export async function runOpenAiLoop(service: string, agentName: string, endpoint: string, model: FakeModel, bare: boolean): Promise<string> {
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
  });
  sdk.start();
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(trace.getTracerProvider());
  instrumentation.manuallyInstrument(OpenAI);
  const tracer = trace.getTracer('weather-app');
  const client = new OpenAI({ apiKey: 'test', baseURL: model.url });
  const impl = scriptTools();
  const runTool = (name: string, args: Record<string, string>) => (name === 'get_weather' ? impl.getWeather(args.city) : impl.searchDocs(args.query));

  const loop = async (): Promise<string> => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Answer weather questions; look things up in the docs.' },
      { role: 'user', content: 'What is the weather in Paris, and what do the docs say?' },
    ];
    for (let turn = 0; turn < 10; turn++) {
      const completion = await client.chat.completions.create({ model: 'gpt-fake-1', messages, tools: TOOLS });
      const msg = completion.choices[0].message;
      messages.push(msg);
      if (!msg.tool_calls?.length) return msg.content ?? '';
      for (const call of msg.tool_calls) {
        if (call.type !== 'function') continue;
        const attributes = {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': call.function.name,
          'gen_ai.tool.call.id': call.id,
          'gen_ai.tool.call.arguments': call.function.arguments,
        };
        const exec = () => runTool(call.function.name, JSON.parse(call.function.arguments) as Record<string, string>);
        let content: string;
        if (bare) {
          try {
            content = exec();
          } catch (e) {
            content = `error: ${(e as Error).message}`;
          }
        } else {
          content = tracer.startActiveSpan(`execute_tool ${call.function.name}`, { attributes }, (span) => {
            try {
              const result = exec();
              span.setAttribute('gen_ai.tool.call.result', result);
              return result;
            } catch (e) {
              span.recordException(e as Error);
              span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
              span.setAttribute('error.type', (e as Error).name);
              return `error: ${(e as Error).message}`;
            } finally {
              span.end();
            }
          });
        }
        messages.push({ role: 'tool', tool_call_id: call.id, content });
      }
    }
    return '';
  };

  const answer = bare
    ? await loop()
    : await tracer.startActiveSpan(`invoke_agent ${agentName}`, { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agentName } }, async (span) => {
        try {
          return await loop();
        } finally {
          span.end();
        }
      });
  await sdk.shutdown();
  return answer;
}

export const scenario: Scenario = {
  service: 'openai-openllmetry-app',
  agent: 'weather-docs-agent',
  run(endpoint, model) {
    return runOpenAiLoop(this.service, this.agent, endpoint, model, false);
  },
};
