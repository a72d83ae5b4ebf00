// An OpenInference-instrumented agent: the real `openai` client (patched by
// @arizeai/openinference-instrumentation-openai) calls its own local OpenAI-compatible server over a
// socket, the agent and its tools are OpenInference AGENT/TOOL spans, one tool fails, and the
// OpenTelemetry NodeSDK exports everything. Used by tests/clients/openinference.test.ts, the all-clients test and
// tests/exporters/clients-openinference.test.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { OpenInferenceSpanKind, SemanticConventions } from '@arizeai/openinference-semantic-conventions';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as openaiModule from 'openai';
import OpenAI from 'openai';
import type { Scenario } from './types.js';

/**
 * `system`: a system message first (the corpus exporter test checks it comes back). Returns the answer, the
 * requests the fake model served, and the conversation exactly as the agent sent it (and got it back).
 */
export async function runOpenInferenceAgent(
  endpoint: string,
  opts: { system?: string } = {},
): Promise<{ answer: string; calls: number; messages: OpenAI.Chat.ChatCompletionMessageParam[] }> {
  // A fake OpenAI: the first completion asks for two tools, the second answers.
  let calls = 0;
  const fake = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      calls++;
      const first = calls === 1;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: `chatcmpl-${calls}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'gpt-fake-1',
          choices: [
            {
              index: 0,
              finish_reason: first ? 'tool_calls' : 'stop',
              message: first
                ? {
                    role: 'assistant',
                    content: null,
                    tool_calls: [
                      { id: 'call_ls', type: 'function', function: { name: 'list_files', arguments: '{"dir":"/src"}' } },
                      { id: 'call_cat', type: 'function', function: { name: 'read_file', arguments: '{"path":"/src/missing.ts"}' } },
                    ],
                  }
                : { role: 'assistant', content: 'There is one file; missing.ts does not exist.' },
            },
          ],
          usage: first ? { prompt_tokens: 90, completion_tokens: 25, total_tokens: 115 } : { prompt_tokens: 160, completion_tokens: 12, total_tokens: 172 },
        }),
      );
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));

  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': 'openinference-agent' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
  });
  sdk.start();
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(trace.getTracerProvider());
  instrumentation.manuallyInstrument(openaiModule as never);
  const tracer = trace.getTracer('my-agent');
  const client = new OpenAI({ apiKey: 'test', baseURL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1` });

  const TOOLS = {
    list_files: (args: { dir: string }) => JSON.stringify({ files: [`${args.dir}/index.ts`] }),
    read_file: (args: { path: string }): string => {
      throw new Error(`ENOENT: no such file or directory, open '${args.path}'`);
    },
  };

  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];

  /** The agent loop, traced the way OpenInference agents are: an AGENT span, TOOL spans inside it. */
  async function runAgent(question: string): Promise<string> {
    const agent = tracer.startSpan('file-agent', {
      attributes: { [SemanticConventions.OPENINFERENCE_SPAN_KIND]: OpenInferenceSpanKind.AGENT, [SemanticConventions.INPUT_VALUE]: question, 'agent.name': 'file-agent' },
    });
    return context.with(trace.setSpan(context.active(), agent), async () => {
      messages.push(...(opts.system ? [{ role: 'system' as const, content: opts.system }] : []), { role: 'user', content: question });
      for (let step = 0; step < 4; step++) {
        const completion = await client.chat.completions.create({
          model: 'gpt-fake-1',
          messages,
          tools: Object.keys(TOOLS).map((name) => ({ type: 'function' as const, function: { name, parameters: { type: 'object' } } })),
        });
        const msg = completion.choices[0].message;
        messages.push(msg);
        if (!msg.tool_calls?.length) {
          agent.setAttribute(SemanticConventions.OUTPUT_VALUE, msg.content ?? '');
          agent.end();
          return msg.content ?? '';
        }
        for (const call of msg.tool_calls) {
          if (call.type !== 'function') continue;
          const span = tracer.startSpan(call.function.name, {
            attributes: {
              [SemanticConventions.OPENINFERENCE_SPAN_KIND]: OpenInferenceSpanKind.TOOL,
              [SemanticConventions.TOOL_NAME]: call.function.name,
              'tool.id': call.id,
              [SemanticConventions.INPUT_VALUE]: call.function.arguments,
            },
          });
          let content: string;
          try {
            content = TOOLS[call.function.name as keyof typeof TOOLS](JSON.parse(call.function.arguments) as never);
            span.setAttribute(SemanticConventions.OUTPUT_VALUE, content);
          } catch (e) {
            content = `error: ${(e as Error).message}`;
            span.recordException(e as Error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
          }
          span.end();
          messages.push({ role: 'tool', tool_call_id: call.id, content });
        }
      }
      agent.end();
      return '';
    });
  }

  const answer = await runAgent('Which files are in /src, and what is in missing.ts?');
  await sdk.shutdown();
  await new Promise<void>((r) => fake.close(() => r()));
  return { answer, calls, messages };
}

export const scenario: Scenario = {
  service: 'openinference-agent',
  agent: 'file-agent',
  async run(endpoint) {
    return (await runOpenInferenceAgent(endpoint)).answer;
  },
};
