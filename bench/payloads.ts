// Realistic agent traffic for benchmarks: LLM spans carrying 1-8 KB of messages, tool spans, agent spans,
// with the attribute mix of the Claude Code captures. Built with the real SDK and the official serializers.
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const WORDS = 'the agent reads the file then runs the tests and fixes the failing import before it answers'.split(' ');
function text(bytes: number, seed: number): string {
  let s = '';
  for (let i = seed; s.length < bytes; i++) s += WORDS[i % WORDS.length] + ' ';
  return s.slice(0, bytes);
}

/** `traces` agent runs of (1 agent + 4 LLM + 4 tool) spans each; `toolOnly` makes small tool-sized spans only. */
export function makeAgentSpans(traces: number, opts: { toolOnly?: boolean; seed?: number } = {}): ReadableSpan[] {
  const mem = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'claude-code',
      'service.version': '2.1.328',
      'os.type': 'linux',
      'host.arch': 'amd64',
      'terminal.type': 'xterm',
    }),
    spanProcessors: [new SimpleSpanProcessor(mem)],
  });
  const tracer = provider.getTracer('com.anthropic.claude_code.tracing', '2.1.328');
  const seed = opts.seed ?? 0;
  for (let t = 0; t < traces; t++) {
    const session = `session-${seed}-${t % 7}`;
    const root = tracer.startSpan('claude_code.interaction', { attributes: { 'session.id': session, 'span.type': 'interaction', 'gen_ai.operation.name': 'invoke_agent', 'user_prompt_length': 52 } });
    const ctx = trace.setSpan(context.active(), root);
    for (let turn = 0; turn < 4; turn++) {
      if (!opts.toolOnly) {
        const size = 1024 + ((t * 7 + turn * 1931) % 7168);
        const llm = tracer.startSpan(
          'claude_code.llm_request',
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'session.id': session,
              'span.type': 'llm_request',
              'gen_ai.system': 'anthropic',
              'gen_ai.request.model': 'claude-opus-5-5',
              input_tokens: 1200 + turn * 300,
              output_tokens: 40 + turn,
              cache_read_tokens: 800,
              cost_usd: 0.0123,
              'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: text(size, t + turn) }] }]),
              'gen_ai.response.finish_reasons': ['tool_use'],
            },
          },
          ctx,
        );
        llm.end();
      }
      const tool = tracer.startSpan('claude_code.tool', { attributes: { 'session.id': session, 'span.type': 'tool', tool_name: turn % 2 ? 'Bash' : 'Read', 'tool_use_id': `toolu_${t}_${turn}`, duration_ms: 12 + turn } }, ctx);
      if (turn === 2) tool.setStatus({ code: SpanStatusCode.ERROR, message: 'File does not exist.' });
      tool.end();
    }
    root.end();
  }
  return mem.getFinishedSpans();
}

export interface Payloads {
  proto: Uint8Array[];
  json: Uint8Array[];
  spansPerRequest: number;
}

/** `requests` export requests of about `spansPerRequest` spans each (fresh ids per request). */
export function makePayloads(requests: number, spansPerRequest: number, opts: { toolOnly?: boolean } = {}): Payloads {
  const perTrace = opts.toolOnly ? 5 : 9;
  const traces = Math.max(1, Math.round(spansPerRequest / perTrace));
  const proto: Uint8Array[] = [];
  const json: Uint8Array[] = [];
  for (let i = 0; i < requests; i++) {
    const spans = makeAgentSpans(traces, { ...opts, seed: i });
    proto.push(ProtobufTraceSerializer.serializeRequest(spans)!);
    json.push(JsonTraceSerializer.serializeRequest(spans)!);
  }
  return { proto, json, spansPerRequest: traces * perTrace };
}
