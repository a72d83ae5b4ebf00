// Gemini CLI: spans (gen_ai.tool.call_id, arbitrary JSON messages) and log events.
import t from 'tap';
import { geminiCliLogs, geminiCliSpans } from '../../src/normalize/dialects/gemini-cli.js';
import { detectRun, detectSpan } from '../../src/analysis/detect.js';
import { mergeOperations, normalizeBatch, normalizeLogs, normalizeSpans } from '../../src/normalize/index.js';
import { cmpNanos } from '../../src/normalize/values.js';
import { capture } from './captures.js';
import { exampleLogs, exampleSpans, makeLogs, makeSpans } from './helpers.js';

const S = '5f1c0d2e-aaaa-bbbb-cccc-0123456789ab';

t.test('the documented examples: api_response event and tool_call span', async (t) => {
  const logs = exampleLogs('gemini-cli-logs');
  t.ok(geminiCliLogs.matches(logs[0]));
  const [llm] = normalizeLogs(logs);
  t.match(llm, { kind: 'llm', requestModel: 'gemini-2.5-pro', inputTokens: 10240, outputTokens: 380, cacheReadTokens: 8192, reasoningTokens: 120, finishReason: 'stop', sessionId: S, status: 'ok' });
  t.equal(llm.startTimeUnixNano, String(1760000030000000000n - 812_000_000n));
  const spans = exampleSpans('gemini-cli-tool-span');
  t.ok(geminiCliSpans.matches(spans[0]));
  const [tool] = normalizeSpans(spans);
  t.match(tool, { kind: 'tool', toolName: 'read_file', toolCallId: 'read_file-1760000031-ab12', toolArguments: '{"absolute_path":"/repo/README.md"}', sessionId: S, status: 'ok' });
});

t.test('subagent events, compression, details event folded into its api_response, tool event merged with its span', async (t) => {
  const s = { 'session.id': S };
  const base = 1760000031000000000n;
  const at = (ms: number) => String(base + BigInt(ms) * 1_000_000n);
  const logs = makeLogs(
    [
      { time: at(0), attrs: { ...s, 'event.name': 'gemini_cli.agent.start', agent_id: 'ag-1', agent_name: 'codebase_investigator' } },
      { time: at(900), attrs: { ...s, 'event.name': 'gemini_cli.api_response', model: 'gemini-2.5-flash', input_token_count: 50, output_token_count: '5' } },
      {
        time: at(901),
        eventName: 'gen_ai.client.inference.operation.details',
        attrs: { ...s, 'gen_ai.operation.name': 'generate_content', 'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'q' }] }], 'gen_ai.usage.input_tokens': 50 },
      },
      { time: at(1000), attrs: { ...s, 'event.name': 'gemini_cli.agent.finish', agent_id: 'ag-1', agent_name: 'codebase_investigator', duration_ms: 1000, terminate_reason: 'MAX_TURNS' } },
      { time: at(1100), attrs: { ...s, 'event.name': 'gemini_cli.chat_compression', tokens_before: '120000', tokens_after: '8000' } },
      { time: at(30), attrs: { ...s, 'event.name': 'gemini_cli.tool_call', function_name: 'read_file', function_args: '{"absolute_path":"/repo/README.md"}', success: true, duration_ms: 40 } },
    ],
    { service: 'gemini-cli' },
  );
  const ops = normalizeLogs(logs);
  const llm = ops.filter((o) => o.kind === 'llm');
  t.equal(llm.length, 1, 'the details event does not count a second call');
  t.equal(llm[0].inputMessages.length, 1);
  const sub = ops.filter((o) => o.kind === 'subagent');
  t.equal(sub.length, 1, 'start and finish are one subagent');
  t.match(sub[0], { agentId: 'ag-1', agentName: 'codebase_investigator', status: 'error', errorType: 'MAX_TURNS', parentAgentId: S, depth: 1 });
  t.same(ops.find((o) => o.kind === 'compaction')?.compaction, { trigger: 'unknown', tokensBefore: 120000, tokensAfter: 8000, estimated: false });
  // The tool event has no call id; it lies inside the tool span's time range in the same session.
  const merged = mergeOperations(normalizeSpans(exampleSpans('gemini-cli-tool-span')), ops);
  const tools = merged.filter((o) => o.kind === 'tool');
  t.equal(tools.length, 1);
  t.equal(tools[0].source, 'span+log');
});

t.test('span kinds: user_prompt turn, llm_call, agent_call subagent', async (t) => {
  const a = { 'gen_ai.conversation.id': S, 'gen_ai.agent.name': 'gemini-cli' };
  const ops = normalizeSpans(
    makeSpans(
      [
        { name: 'user_prompt', spanId: '0000000000000001', attrs: { ...a, 'gen_ai.operation.name': 'user_prompt' } },
        { name: 'agent_call', spanId: '0000000000000002', parentSpanId: '0000000000000001', attrs: { ...a, 'gen_ai.operation.name': 'agent_call' } },
        { name: 'llm_call', spanId: '0000000000000003', parentSpanId: '0000000000000002', attrs: { ...a, 'gen_ai.operation.name': 'llm_call', 'gen_ai.request.model': 'gemini-2.5-pro', 'gen_ai.usage.input_tokens': 10 } },
      ],
      { scope: 'gemini-cli' },
    ),
  );
  t.match(ops[0], { kind: 'agent', agentId: S, depth: 0 });
  t.match(ops[1], { kind: 'subagent', parentAgentId: S, depth: 1 });
  t.match(ops[2], { kind: 'llm', agentId: ops[1].agentId, depth: 1, inputTokens: 10 });
});

t.test('negative', async (t) => {
  const [s] = makeSpans([{ name: 'llm_call', spanId: '0000000000000001', attrs: { 'gen_ai.operation.name': 'llm_call' } }], { scope: 'other' });
  t.notOk(geminiCliSpans.matches(s));
  const [l] = makeLogs([{ eventName: 'gen_ai.choice' }], { service: 'my-app' });
  t.notOk(geminiCliLogs.matches(l));
});

// The real Gemini CLI 0.61.0 capture (fixtures/README.md): a trace per model call and per tool batch.
t.test('the real 0.61 capture: tool span and tool event merged, the failed command, one run over the traces', async (t) => {
  const { spans, logs } = capture('gemini-cli-0.61');
  t.equal(new Set(spans.map((s) => s.traceId)).size, 9, '5 llm_call traces and 4 schedule_tool_calls traces');
  const prompt = logs.find((l) => l.attributes.values['event.name'] === 'gemini_cli.user_prompt');
  t.equal(prompt?.traceId, '', 'the user prompt event has no trace');

  const ops = normalizeBatch(spans, logs);
  const llm = ops.filter((o) => o.kind === 'llm');
  t.same(llm.map((o) => [o.inputTokens, o.outputTokens]), Array(5).fill([100, 10]), 'five model calls');
  const tools = ops.filter((o) => o.kind === 'tool').sort((a, b) => cmpNanos(a.startTimeUnixNano, b.startTimeUnixNano));
  t.same(
    tools.map((o) => [o.toolName, JSON.parse(o.toolArguments).command, o.status, o.source, o.toolCallId.startsWith('run_shell_command')]),
    [
      ['run_shell_command', 'cat missing.txt', 'error', 'span+log', true],
      ['run_shell_command', 'echo ok', 'ok', 'span+log', true],
      ['run_shell_command', 'echo ok', 'ok', 'span+log', true],
      ['run_shell_command', 'echo ok', 'ok', 'span+log', true],
    ],
    'four calls, not eight: the span brings the call id, the event the arguments and the exit code',
  );
  t.ok(ops.every((o) => o.traceId !== ''), 'no operation without a trace');
  t.equal(new Set(ops.map((o) => o.sessionId)).size, 1, 'one conversation');
  t.ok(ops.every((o) => o.depth === 0 && o.kind !== 'subagent'), 'no subagent');

  const found = [...ops.flatMap(detectSpan), ...detectRun(ops)];
  t.same(found.map((f) => [f.mode, f.toolName]), [['tool_error', 'run_shell_command'], ['repeated_tool_call', 'run_shell_command']]);
  t.equal(found[1].spanId, tools[2].spanId, 'the repeat across traces, flagged on the second echo');
});
