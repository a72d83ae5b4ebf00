// Generated agent runs as OTLP/JSON trace requests (the GenAI semantic conventions): a root invoke_agent span,
// a chat span asking for the tools, one execute_tool span per tool call (the failing ones with an ERROR
// status: tool_error) and a final chat span with the answer.
// For the comparison and regression tests, which need many runs of a known harness at known times.
import { randomBytes } from 'node:crypto';

export interface RunBatch {
  service: string;
  version: string;
  model?: string;
  /** Runs in the batch. */
  runs: number;
  /** Tool called once per run. */
  tools: string[];
  /** tool -> how many of the runs have that tool's call fail. */
  errors?: Record<string, number>;
  /** Start of the first run; runs are spread over `spreadMs` after it. */
  start: Date;
  spreadMs?: number;
  /** tool -> how many runs have the model call that tool with arguments that are not JSON (invalid_tool_arguments). */
  invalidArguments?: Record<string, number>;
  /** Extra resource attributes. */
  resource?: Record<string, string>;
  /** Give the first chat span the user's task (naming the trace id) as its input messages, for corpora. */
  messages?: boolean;
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** OTLP/JSON ExportTraceServiceRequest bodies of at most `perRequest` runs each; returns them with the trace ids. */
export function runRequests(b: RunBatch, perRequest = 200): { bodies: string[]; traceIds: string[]; failing: Record<string, string[]> } {
  const bodies: string[] = [];
  const traceIds: string[] = [];
  const failing: Record<string, string[]> = Object.fromEntries(b.tools.map((tool) => [tool, []]));
  const spread = b.spreadMs ?? 30 * 60_000;
  const resource = { attributes: [str('service.name', b.service), str('service.version', b.version), ...Object.entries(b.resource ?? {}).map(([k, v]) => str(k, v))] };
  for (let first = 0; first < b.runs; first += perRequest) {
    const spans: unknown[] = [];
    for (let i = first; i < Math.min(b.runs, first + perRequest); i++) {
      const traceId = randomBytes(16).toString('hex');
      traceIds.push(traceId);
      const t0 = BigInt(b.start.getTime() + Math.floor((i * spread) / Math.max(1, b.runs))) * 1_000_000n;
      const ns = (ms: number) => String(t0 + BigInt(ms) * 1_000_000n);
      const root = randomBytes(8).toString('hex');
      const chat = randomBytes(8).toString('hex');
      spans.push({
        traceId,
        spanId: root,
        name: 'invoke_agent demo',
        kind: 1,
        startTimeUnixNano: ns(0),
        endTimeUnixNano: ns(1000),
        attributes: [str('gen_ai.operation.name', 'invoke_agent'), str('gen_ai.agent.name', 'demo')],
        status: {},
      });
      // The model's tool calls, in the chat span's output (gen_ai.output.messages); a broken one where asked.
      const calls = b.tools.map((tool, j) => {
        const e = b.invalidArguments?.[tool] ?? 0;
        const k = (i + j * 11) % b.runs;
        const broken = Math.floor(((k + 1) * e) / b.runs) > Math.floor((k * e) / b.runs);
        return { type: 'tool_call', id: `call_${j}`, name: tool, arguments: broken ? '{"path": "src/a.ts", "patch": ' : '{"path": "src/a.ts"}' };
      });
      spans.push({
        traceId,
        spanId: chat,
        parentSpanId: root,
        name: `chat ${b.model ?? 'demo-model'}`,
        kind: 3,
        startTimeUnixNano: ns(1),
        endTimeUnixNano: ns(100),
        attributes: [str('gen_ai.operation.name', 'chat'), str('gen_ai.request.model', b.model ?? 'demo-model'), str('gen_ai.system', 'openai'),
          ...(b.messages ? [str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Fix the failing test of run ${traceId}.` }] }]))] : []),
          str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: calls, finish_reason: 'tool_calls' }])),
        ],
        status: { code: 1 },
      });
      // The model's final answer after the tool results: the run ends finished.
      spans.push({
        traceId,
        spanId: randomBytes(8).toString('hex'),
        parentSpanId: root,
        name: `chat ${b.model ?? 'demo-model'}`,
        kind: 3,
        startTimeUnixNano: ns(300),
        endTimeUnixNano: ns(400),
        attributes: [
          str('gen_ai.operation.name', 'chat'),
          str('gen_ai.request.model', b.model ?? 'demo-model'),
          str('gen_ai.system', 'openai'),
          str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Done.' }], finish_reason: 'stop' }])),
        ],
        status: { code: 1 },
      });
      b.tools.forEach((tool, j) => {
        const e = b.errors?.[tool] ?? 0;
        // Failing runs spread evenly over the batch (and so over its time span), shifted per tool so that two
        // tools with the same count do not fail in the same runs.
        const k = (i + j * 7) % b.runs;
        const fails = Math.floor(((k + 1) * e) / b.runs) > Math.floor((k * e) / b.runs);
        if (fails) failing[tool]!.push(traceId);
        spans.push({
          traceId,
          spanId: randomBytes(8).toString('hex'),
          parentSpanId: root,
          name: `execute_tool ${tool}`,
          kind: 1,
          startTimeUnixNano: ns(200 + j * 10),
          endTimeUnixNano: ns(205 + j * 10),
          attributes: [str('gen_ai.operation.name', 'execute_tool'), str('gen_ai.tool.name', tool), str('gen_ai.tool.call.id', `call_${j}`)],
          status: fails ? { code: 2, message: `${tool} failed: EACCES` } : { code: 1 },
        });
      });
    }
    bodies.push(JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'generated-runs' }, spans }] }] }));
  }
  return { bodies, traceIds, failing };
}

/** Posts the batch over OTLP/HTTP JSON; throws unless every request is acknowledged. */
export async function sendRuns(baseUrl: string, b: RunBatch, headers: Record<string, string> = {}): Promise<{ traceIds: string[]; failing: Record<string, string[]> }> {
  const { bodies, traceIds, failing } = runRequests(b);
  for (const body of bodies) {
    const res = await fetch(`${baseUrl}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
  }
  return { traceIds, failing };
}
