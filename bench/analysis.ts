// npm run bench --only=analysis: ingest end to end INCLUDING normalization and failure detection (issue 15),
// with Claude-Code-shaped traffic: requests of 512 spans (16 traces of an interaction, 15 model calls and
// 16 tool calls), built with the real SDK and serializer.
//   spread        a session per request: ingest alone at max (settling held back), then the analysis of
//                 everything it took (POST /api/v1/admin/renormalize, the settle loop's own rebuild):
//                 spans/s and CPU µs per span of each, against the engine's INSERT CPU per row (storage limit)
//   lag           a fresh service settling as usual (TRACEMILL_SETTLE_MS=1000), paced at 50% of the max:
//                 ack -> visible in /api/v1/failures/stats (calls counted there), p50 / p99
//   long session  every request in ONE session (200k spans; --quick 20k): the same two measurements
// Every phase polls /healthz every 100 ms and reports the slowest answer (event-loop stalls).
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export const SPANS_PER_REQUEST = 512;
/** Model calls and tool calls in one request (what failures/stats counts as calls). */
export const CALLS_PER_REQUEST = 16 * 31;

const WORDS = 'the agent reads the file then runs the tests and fixes the failing import before it answers'.split(' ');
function text(bytes: number, seed: number): string {
  let s = '';
  for (let i = seed; s.length < bytes; i++) s += WORDS[i % WORDS.length] + ' ';
  return s.slice(0, bytes);
}

/** `requests` protobuf requests of 512 spans; request i goes to session `sessionOf(i)`. */
export function claudeCodeRequests(requests: number, sessionOf: (i: number) => string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let r = 0; r < requests; r++) {
    const mem = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.1.328', 'os.type': 'linux' }),
      spanProcessors: [new SimpleSpanProcessor(mem)],
    });
    const tracer = provider.getTracer('com.anthropic.claude_code.tracing', '2.1.328');
    const session = sessionOf(r);
    for (let t = 0; t < 16; t++) {
      const root = tracer.startSpan('claude_code.interaction', { attributes: { 'session.id': session, 'span.type': 'interaction', user_prompt_length: 52 } });
      const ctx = trace.setSpan(context.active(), root);
      for (let i = 0; i < 31; i++) {
        if (i % 2 === 0) {
          const llm = tracer.startSpan(
            'claude_code.llm_request',
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'session.id': session,
                'span.type': 'llm_request',
                model: 'claude-opus-5-5',
                input_tokens: 1200 + i * 30,
                output_tokens: 40 + i,
                cache_read_tokens: 800,
                cost_usd: 0.0123,
                'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: text(512 + ((r * 7 + i * 131) % 1024), r + i) }] }]),
              },
            },
            ctx,
          );
          llm.end();
        } else {
          const tool = tracer.startSpan(
            'claude_code.tool',
            {
              attributes: {
                'session.id': session,
                'span.type': 'tool',
                tool_name: i % 4 === 1 ? 'Read' : 'Bash',
                tool_use_id: `toolu_${r}_${t}_${i}`,
                tool_input: JSON.stringify(i % 4 === 1 ? { file_path: `/src/f${r}_${t}_${i}.ts` } : { command: `npm test -- ${r}/${t}/${i}` }),
              },
            },
            ctx,
          );
          if (i === 5) tool.setStatus({ code: SpanStatusCode.ERROR, message: 'File does not exist.' });
          tool.end();
        }
      }
      root.end();
    }
    out.push(ProtobufTraceSerializer.serializeRequest(mem.getFinishedSpans())!);
  }
  return out;
}

/** Polls /healthz every 100 ms until stopped; `slowest()` is the longest answer (ms), a timeout counting as its limit. */
export function healthPoller(url: string): { slowest(): number; stop(): Promise<void> } {
  let slowest = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
      } catch {
        // a refused or timed-out probe is as slow as it took
      }
      slowest = Math.max(slowest, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    slowest: () => slowest,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Calls visible in the failure statistics (all time). */
export async function visibleCalls(url: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/failures/stats?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`);
  if (res.status !== 200) return 0;
  return ((await res.json()) as { totals: { calls: number } }).totals.calls;
}

/**
 * Ack -> visible lag: `acks` are (time acknowledged, calls acknowledged so far), in order; `polls` are (time,
 * calls visible). A request's lag is the first poll at which as many calls were visible as had been
 * acknowledged with it (groups settle out of order, so this is close, not exact, per request).
 */
export function lags(acks: [number, number][], polls: [number, number][]): number[] {
  const out: number[] = [];
  let p = 0;
  for (const [t, n] of acks) {
    while (p < polls.length && (polls[p][1] < n || polls[p][0] < t)) p++;
    if (p === polls.length) break;
    out.push(polls[p][0] - t);
  }
  return out.sort((a, b) => a - b);
}
