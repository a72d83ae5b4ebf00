// Real OpenTelemetry SDK spans for tests, plus exporting them with a real exporter.
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Makes a small agent-shaped trace with the real SDK: a root, an LLM child with events and a link,
 * a failing tool child. Attribute values the SDK API refuses (kvlist, bytes, nested arrays) are added
 * to the finished spans afterwards so the exporters' encoders carry every AnyValue type.
 */
export function makeSpans(service = 'roundtrip-agent', opts: { count?: number } = {}): ReadableSpan[] {
  const mem = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'test', 'host.cores': 2 }),
    spanProcessors: [new SimpleSpanProcessor(mem)],
  });
  const tracer = provider.getTracer('tracemill-tests', '1.2.3');
  const n = opts.count ?? 1;
  for (let i = 0; i < n; i++) {
    const root = tracer.startSpan('invoke_agent demo', { kind: SpanKind.INTERNAL, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'demo', iteration: i } });
    const ctx = trace.setSpan(context.active(), root);
    const llm = tracer.startSpan(
      'chat demo-model',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'demo-model',
          'gen_ai.usage.input_tokens': 1234,
          'gen_ai.request.temperature': 0.25,
          'gen_ai.response.finish_reasons': ['tool_calls', 'stop'],
          'ok': true,
          'ints': [1, 2, 3],
        },
        links: [{ context: root.spanContext(), attributes: { 'link.kind': 'caused-by' } }],
      },
      ctx,
    );
    llm.addEvent('gen_ai.choice', { index: 0, 'finish.reason': 'tool_calls' });
    llm.addEvent('retry', { attempt: 2 });
    llm.setStatus({ code: SpanStatusCode.OK });
    llm.end();
    const tool = tracer.startSpan('execute_tool read_file', { kind: SpanKind.INTERNAL, attributes: { 'gen_ai.tool.name': 'read_file' } }, ctx);
    tool.recordException(new Error('ENOENT: no such file'));
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'ENOENT: no such file' });
    tool.end();
    root.end();
  }
  const spans = mem.getFinishedSpans();
  for (const s of spans) {
    if (s.name.startsWith('chat')) {
      const a = s.attributes as Record<string, unknown>;
      a['gen_ai.input.messages.raw'] = { role: 'user', parts: [{ type: 'text', content: 'hi' }], n: 2, nested: { deep: [1, 'two', false] } };
      a['payload.bytes'] = new Uint8Array([0, 1, 2, 250, 255]);
      a['big.int'] = Number.MAX_SAFE_INTEGER;
      a['neg.double'] = -1.5e-7;
      a['unicode'] = 'héllo ✓ 日本';
    }
  }
  return spans;
}

export function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) =>
    exporter.export(spans, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))),
  );
}

export function hrToNanos(t: [number, number]): string {
  return (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
}
