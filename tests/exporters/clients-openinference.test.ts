// The OpenInference-instrumented agent of tests/clients/openinference.test.ts (the real `openai` client patched by
// @arizeai/openinference-instrumentation-openai, a local OpenAI-compatible server over a socket, NodeSDK exporting
// to the service), exported back: openai-chat, trl and sharegpt hold the conversation the agent sent, message
// for message, with the same tool call ids, arguments and results.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import t from 'tap';
import { writeExport } from '../../src/exporters/index.js';
import { startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

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
t.teardown(() => new Promise<void>((r) => fake.close(() => r())));

const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': 'openinference-agent' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` }))],
});
sdk.start();
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(trace.getTracerProvider());
instrumentation.manuallyInstrument(openaiModule as never);
const tracer = trace.getTracer('my-agent');
const client = new OpenAI({ apiKey: 'test', baseURL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1` });

/** The conversation exactly as the agent sent it to the model (and got back). */
const sent: OpenAI.Chat.ChatCompletionMessageParam[] = [];

const TOOLS = {
  list_files: (args: { dir: string }) => JSON.stringify({ files: [`${args.dir}/index.ts`] }),
  read_file: (args: { path: string }): string => {
    throw new Error(`ENOENT: no such file or directory, open '${args.path}'`);
  },
};

/** The agent loop, traced the way OpenInference agents are: an AGENT span, TOOL spans inside it. */
async function runAgent(question: string): Promise<string> {
  const agent = tracer.startSpan('file-agent', {
    attributes: { [SemanticConventions.OPENINFERENCE_SPAN_KIND]: OpenInferenceSpanKind.AGENT, [SemanticConventions.INPUT_VALUE]: question, 'agent.name': 'file-agent' },
  });
  return context.with(trace.setSpan(context.active(), agent), async () => {
    const messages = sent;
    messages.push({ role: 'system', content: 'You inspect files.\nBe brief.' }, { role: 'user', content: question });
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

await runAgent('Which files are in /src, and what is in missing.ts?');
await sdk.shutdown();
await svc.normalizer.flush();

const out = mkdtempSync(join(tmpdir(), 'tracemill-oi-export-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));
const lines = (dir: string) =>
  readFileSync(join(out, dir, 'train.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { messages: Record<string, unknown>[]; conversations?: { from: string; value: string }[] });
const base = { from: new Date('2000-01-01T00:00:00Z'), service: 'openinference-agent', blamed: 'keep' } as const;

// The expected lines are written from `sent`, the client's own message list.
type Sent = { role: string; content?: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string };
const history = sent as unknown as Sent[];

t.test('openai-chat: the messages the agent sent, identical', async (t) => {
  const m = await writeExport(svc.store, { format: 'openai-chat', ...base }, join(out, 'openai'));
  t.equal(m.counts.examples, 1, JSON.stringify(m.counts));
  const [row] = lines('openai');
  t.same(
    row.messages,
    history.map((x) =>
      x.role === 'assistant'
        ? { role: 'assistant', content: x.content ?? null, ...(x.tool_calls ? { tool_calls: x.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } })) } : {}), weight: 1 }
        : x.role === 'tool'
          ? { role: 'tool', tool_call_id: x.tool_call_id, content: x.content }
          : { role: x.role, content: x.content },
    ),
  );
});

t.test('trl: the same, arguments as objects and tool messages naming the tool', async (t) => {
  await writeExport(svc.store, { format: 'trl', ...base }, join(out, 'trl'));
  const [row] = lines('trl');
  const names = new Map(history.flatMap((x) => (x.tool_calls ?? []).map((c) => [c.id, c.function.name] as const)));
  t.same(
    row.messages,
    history.map((x) =>
      x.role === 'assistant'
        ? {
            role: 'assistant',
            ...(x.content ? { content: x.content } : {}),
            ...(x.tool_calls ? { tool_calls: x.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: JSON.parse(c.function.arguments) } })) } : {}),
          }
        : x.role === 'tool'
          ? { role: 'tool', tool_call_id: x.tool_call_id, name: names.get(x.tool_call_id ?? ''), content: x.content }
          : { role: x.role, content: x.content },
    ),
  );
});

t.test('sharegpt: the same turns, as LLaMA-Factory reads them', async (t) => {
  await writeExport(svc.store, { format: 'sharegpt', ...base }, join(out, 'sharegpt'));
  const [row] = lines('sharegpt');
  const turns: { from: string; value: string }[] = [];
  let results: string[] = [];
  for (const x of history) {
    if (x.role !== 'tool' && results.length) {
      turns.push({ from: 'observation', value: results.length === 1 ? results[0] : JSON.stringify(results) });
      results = [];
    }
    if (x.role === 'system') turns.push({ from: 'system', value: x.content ?? '' });
    else if (x.role === 'user') turns.push({ from: 'human', value: x.content ?? '' });
    else if (x.role === 'tool') results.push(x.content ?? '');
    else if (x.tool_calls) {
      const calls = x.tool_calls.map((c) => ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) }));
      turns.push({ from: 'function_call', value: JSON.stringify(calls.length === 1 ? calls[0] : calls) });
    } else turns.push({ from: 'gpt', value: x.content ?? '' });
  }
  t.same(row.conversations, turns);
});
