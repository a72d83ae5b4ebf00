// Generated agent runs as OTLP/JSON trace requests (the GenAI semantic conventions): a root invoke_agent span,
// a chat span and one execute_tool span per tool call, the failing ones with an ERROR status (tool_error).
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
  /** Extra resource attributes. */
  resource?: Record<string, string>;
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
      spans.push({
        traceId,
        spanId: chat,
        parentSpanId: root,
        name: `chat ${b.model ?? 'demo-model'}`,
        kind: 3,
        startTimeUnixNano: ns(1),
        endTimeUnixNano: ns(100),
        attributes: [str('gen_ai.operation.name', 'chat'), str('gen_ai.request.model', b.model ?? 'demo-model'), str('gen_ai.system', 'openai')],
        status: { code: 1 },
      });
      b.tools.forEach((tool, j) => {
        const e = b.errors?.[tool] ?? 0;
        // Failing runs spread evenly over the batch (and so over its time span).
        const fails = Math.floor(((i + 1) * e) / b.runs) > Math.floor((i * e) / b.runs);
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
export async function sendRuns(baseUrl: string, b: RunBatch): Promise<{ traceIds: string[]; failing: Record<string, string[]> }> {
  const { bodies, traceIds, failing } = runRequests(b);
  for (const body of bodies) {
    const res = await fetch(`${baseUrl}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
  }
  return { traceIds, failing };
}
