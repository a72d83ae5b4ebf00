// Real public agent trajectories (SWE-agent, tests/fixtures/swe-agent with its licence) sent by the real
// OpenTelemetry SDK as GenAI spans, one chat span per assistant turn carrying the history before it, come back
// from the export with every message identical: text, tool call ids, names, arguments and results, byte for byte.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import t from 'tap';
import { writeExport } from '../../src/exporters/index.js';
import { startTestService } from '../helpers/service.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/swe-agent');

interface TrajMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_ids?: string[];
}

const trajectories: Record<string, TrajMessage[]> = {
  simple: (JSON.parse(readFileSync(join(FIXTURES, 'function_calling_simple.traj'), 'utf8')) as { history: TrajMessage[] }).history,
  marshmallow: (JSON.parse(readFileSync(join(FIXTURES, 'marshmallow-code__marshmallow-1867.history.json'), 'utf8')) as { history: TrajMessage[] }).history,
};

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

/** A trajectory message in the GenAI semantic conventions' message shape (arguments kept as the JSON text sent). */
function genAi(m: TrajMessage): Record<string, unknown> {
  if (m.role === 'tool') return { role: 'tool', parts: (m.tool_call_ids ?? []).map((id) => ({ type: 'tool_call_response', id, response: m.content })) };
  const parts: Record<string, unknown>[] = [{ type: 'text', content: m.content }];
  for (const c of m.tool_calls ?? []) parts.push({ type: 'tool_call', id: c.id, name: c.function.name, arguments: c.function.arguments });
  return { role: m.role, parts };
}

for (const [name, history] of Object.entries(trajectories)) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `swe-agent-${name}` }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` }))],
  });
  const tracer = provider.getTracer('swe-agent-replay');
  const agent = tracer.startSpan('invoke_agent swe-agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'swe-agent' } });
  const ctx = trace.setSpan(context.active(), agent);
  const system = history.filter((m) => m.role === 'system');
  const rest = history.filter((m) => m.role !== 'system');
  rest.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const chat = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } }, ctx);
    chat.setAttributes({
      'gen_ai.system_instructions': JSON.stringify(system.map((s) => ({ type: 'text', content: s.content }))),
      'gen_ai.input.messages': JSON.stringify(rest.slice(0, i).map(genAi)),
      'gen_ai.output.messages': JSON.stringify([genAi(m)]),
    });
    chat.end();
    // The agent runs the calls: execute_tool spans with the results the next turn reads.
    for (const c of m.tool_calls ?? []) {
      const result = rest.slice(i + 1).find((x) => x.role === 'tool' && x.tool_call_ids?.includes(c.id));
      tracer
        .startSpan(`execute_tool ${c.function.name}`, {
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': c.function.name,
            'gen_ai.tool.call.id': c.id,
            'gen_ai.tool.call.arguments': c.function.arguments,
            ...(result ? { 'gen_ai.tool.call.result': result.content } : {}),
          },
        }, ctx)
        .end();
    }
  });
  agent.end();
  await provider.shutdown();
}
await svc.normalizer.flush();

const out = mkdtempSync(join(tmpdir(), 'tracemill-traj-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));

// The trajectory as openai-chat writes it, from the trajectory's own fields.
function expected(history: TrajMessage[]): unknown[] {
  return history.flatMap((m): unknown[] => {
    if (m.role === 'tool') return (m.tool_call_ids ?? []).map((id) => ({ role: 'tool', tool_call_id: id, content: m.content }));
    if (m.role !== 'assistant') return [{ role: m.role, content: m.content }];
    return [
      {
        role: 'assistant',
        content: m.content,
        ...(m.tool_calls?.length ? { tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } })) } : {}),
        weight: 1,
      },
    ];
  });
}

for (const [name, history] of Object.entries(trajectories)) {
  t.test(`${name}: every message identical in openai-chat`, async (t) => {
    const dir = join(out, name);
    const m = await writeExport(svc.store, { format: 'openai-chat', from: new Date('2000-01-01T00:00:00Z'), service: `swe-agent-${name}`, blamed: 'keep' }, dir);
    t.equal(m.counts.examples, 1, JSON.stringify(m.counts));
    t.same(m.counts.skipped, {}, 'nothing else made of the run');
    const [row] = readFileSync(join(dir, 'train.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { messages: unknown[]; tools: { function: { name: string } }[] });
    t.same(row.messages, expected(history));
    t.equal(row.messages.length, history.length);
    const names = [...new Set(history.flatMap((x) => (x.tool_calls ?? []).map((c) => c.function.name)))].sort();
    t.same(row.tools.map((x) => x.function.name).sort(), names, 'the tools called, by name');
    const [meta] = readFileSync(join(dir, 'train.metadata.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { partial_reasons: string[] });
    t.same(meta.partial_reasons, ['tool_definitions_missing'], 'partial only for the definitions the trajectory does not hold');
  });
}
