// Claude-Code-shaped export requests (OTLP/JSON) for the settle tests: traces of 32 spans (a
// claude_code.interaction root, then model calls and tool calls under it), every span naming its session.
// Tool arguments are unique per call unless `repeat` says otherwise, so failure counts are known in advance.

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const T0 = 1_790_000_000_000_000_000n;

export interface SessionRequest {
  body: string;
  spans: number;
  /** claude_code.tool spans in the request: one operation each. */
  tools: number;
}

/**
 * One request of `traces` traces in `session`; `seq` keeps ids and times unique across requests.
 * `repeat`: the first tool call of each trace uses these arguments (the same in every trace).
 */
export function claudeCodeRequest(session: string, seq: number, traces: number, opts: { repeat?: string } = {}): SessionRequest {
  const spans: unknown[] = [];
  let tools = 0;
  const attr = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } });
  for (let t = 0; t < traces; t++) {
    const traceNo = seq * 1000 + t;
    const traceId = hex(0x5e55, 8) + hex(traceNo, 24);
    const base = T0 + BigInt(traceNo) * 60_000_000_000n;
    const rootId = hex(traceNo, 12) + '0000';
    spans.push({
      traceId,
      spanId: rootId,
      name: 'claude_code.interaction',
      startTimeUnixNano: String(base),
      endTimeUnixNano: String(base + 31_000_000_000n),
      attributes: [attr('session.id', session), attr('span.type', 'interaction'), attr('user_prompt', `task ${traceNo}`)],
    });
    for (let i = 1; i < 32; i++) {
      const start = base + BigInt(i) * 1_000_000_000n;
      const span = { traceId, spanId: hex(traceNo, 12) + hex(i, 4), parentSpanId: rootId, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 500_000_000n) };
      if (i % 2) {
        spans.push({ ...span, name: 'claude_code.llm_request', attributes: [attr('session.id', session), attr('span.type', 'llm_request'), attr('model', 'claude-opus-5'), attr('input_tokens', 1000 + i), attr('output_tokens', 20)] });
      } else {
        tools++;
        const input = i === 2 && opts.repeat ? opts.repeat : JSON.stringify({ file_path: `/src/f${traceNo}_${i}.ts` });
        spans.push({
          ...span,
          name: 'claude_code.tool',
          attributes: [attr('session.id', session), attr('span.type', 'tool'), attr('tool_name', 'Read'), attr('tool_use_id', `toolu_${traceNo}_${i}`), attr('tool_input', input)],
        });
      }
    }
  }
  const body = JSON.stringify({
    resourceSpans: [{ resource: { attributes: [attr('service.name', 'claude-code')] }, scopeSpans: [{ scope: { name: 'com.anthropic.claude_code.tracing' }, spans }] }],
  });
  return { body, spans: spans.length, tools };
}
