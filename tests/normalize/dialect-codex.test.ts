// Codex CLI log events.
import t from 'tap';
import { codexLogs } from '../../src/normalize/dialects/codex.js';
import { detectRun, detectSpan } from '../../src/analysis/detect.js';
import { logEventName } from '../../src/normalize/base.js';
import { normalizeBatch, normalizeLogs } from '../../src/normalize/index.js';
import { cmpNanos } from '../../src/normalize/values.js';
import { capture } from './captures.js';
import { exampleLogs, makeLogs } from './helpers.js';

t.test('the documented example: response.completed usage and a tool result (counts as strings)', async (t) => {
  const logs = exampleLogs('codex-logs');
  for (const l of logs) t.ok(codexLogs.matches(l));
  const [llm, tool] = normalizeLogs(logs);
  t.match(llm, {
    kind: 'llm',
    dialect: 'codex',
    requestModel: 'gpt-5.1-codex',
    inputTokens: 18234,
    outputTokens: 912,
    cacheReadTokens: 16000,
    reasoningTokens: 448,
    sessionId: '0199a3c2-7b1e-7f20-9d55-3c1b2a4e5f60',
    agentName: 'codex',
    serviceName: 'codex_exec',
  });
  t.match(tool, { kind: 'tool', toolName: 'shell', toolCallId: 'call_7Xb2', toolArguments: '{"command":["bash","-lc","ls"]}', toolResult: 'README.md\nsrc\n', status: 'ok' });
});

t.test('failures, denied decisions, prompts, transport events', async (t) => {
  const c = { 'conversation.id': 'c1' };
  const ops = normalizeLogs(
    makeLogs([
      { attrs: { ...c, 'event.name': 'codex.sse_event', 'event.kind': 'response.failed', 'error.message': 'rate limited' } },
      { attrs: { ...c, 'event.name': 'codex.sse_event', 'event.kind': 'response.output_text.delta' } },
      { attrs: { ...c, 'event.name': 'codex.api_request', 'http.response.status_code': '200', duration_ms: '300' } },
      { attrs: { ...c, 'event.name': 'codex.api_request', 'http.response.status_code': '429' } },
      { attrs: { ...c, 'event.name': 'codex.tool_result', tool_name: 'shell', call_id: 'k', success: 'false', output: 'exit 1' } },
      { attrs: { ...c, 'event.name': 'codex.tool_decision', tool_name: 'shell', call_id: 'k2', decision: 'denied', source: 'user' } },
      { attrs: { ...c, 'event.name': 'codex.user_prompt', prompt: '[REDACTED]' } },
    ]),
  );
  t.same(
    ops.map((o) => [o.kind, o.status, o.errorType]),
    [
      ['llm', 'error', 'response.failed'],
      ['llm', 'error', 'http_429'],
      ['tool', 'error', 'tool_error'],
      ['agent', 'unset', ''],
      // A denial with no tool_result in the batch stands alone (partial records come after the others).
      ['tool', 'error', 'permission_denied'],
    ],
  );
  t.equal(ops[2].errorMessage, 'exit 1');
  t.same(ops[3].inputMessages, [], 'redacted prompts are not messages');
});

t.test('negative', async (t) => {
  const [l] = makeLogs([{ attrs: { 'event.name': 'codexlike.api_request' } }]);
  t.notOk(codexLogs.matches(l));
});

// The real Codex CLI 0.171.0 capture (fixtures/README.md): spans and log events of one `codex exec` run.
t.test('the real 0.171 capture: the scripted run, each call once', async (t) => {
  const { spans, logs } = capture('codex-cli-0.171');
  const results = logs.filter((l) => l.attributes.values['event.name'] === 'codex.tool_result');
  t.equal(results.length, 4);
  t.match(results[0].eventName, /^event otel\/src\/tool_result\.rs:\d+$/, 'the event_name field holds a source location');
  t.equal(logEventName(results[0]), 'codex.tool_result', 'the attribute names the event');
  const completed = logs.filter((l) => l.attributes.values['event.kind'] === 'response.completed');
  t.equal(completed.length, 10, 'two response.completed records per model call');

  const ops = normalizeBatch(spans, logs);
  t.same([...new Set(ops.map((o) => o.kind))].sort(), ['agent', 'llm', 'tool'], 'internal spans make no operations');
  const llm = ops.filter((o) => o.kind === 'llm');
  t.same(llm.map((o) => [o.inputTokens, o.outputTokens, o.requestModel]), Array(5).fill([100, 10, 'fake-model']), 'five model calls');
  const tools = ops.filter((o) => o.kind === 'tool').sort((a, b) => cmpNanos(a.startTimeUnixNano, b.startTimeUnixNano));
  t.same(
    tools.map((o) => [o.toolName, JSON.parse(o.toolArguments).cmd, o.status, o.source]),
    [
      ['exec_command', 'cat missing.txt', 'error', 'span+log'],
      ['exec_command', 'echo ok', 'ok', 'span+log'],
      ['exec_command', 'echo ok', 'ok', 'span+log'],
      ['exec_command', 'echo ok', 'ok', 'span+log'],
    ],
  );
  t.match(tools[0].errorMessage, /Process exited with code 1/);
  const [agent] = ops.filter((o) => o.kind === 'agent');
  t.match(agent, { name: 'run_turn', agentName: 'codex', depth: 0 });
  t.equal(new Set(ops.map((o) => o.sessionId)).size, 1, 'one conversation');
  t.same([...new Set(ops.map((o) => o.traceId))], [agent.traceId], 'the response events joined the turn trace');
  t.ok(ops.every((o) => o.agentId === agent.agentId && o.depth === 0), 'no subagent');

  const found = [...ops.flatMap(detectSpan), ...detectRun(ops)];
  t.same(found.map((f) => [f.mode, f.toolName]), [['tool_error', 'exec_command'], ['repeated_tool_call', 'exec_command']]);
  t.equal(found[1].spanId, tools[2].spanId, 'the repeat is flagged on the second echo');

  const fromLogs = normalizeLogs(logs);
  t.same(
    [fromLogs.filter((o) => o.kind === 'llm').length, fromLogs.filter((o) => o.kind === 'tool').length, fromLogs.filter((o) => o.status === 'error').length],
    [5, 4, 1],
    'logs alone: the same calls',
  );
});

t.test('response.completed logged twice: the generic record completes its usage twin, or stands alone without usage', async (t) => {
  const c = { 'conversation.id': 'c1', 'event.name': 'codex.sse_event', 'event.kind': 'response.completed', model: 'm' };
  const at = (ms: number) => String(1_760_000_000_000_000_000n + BigInt(ms) * 1_000_000n);
  const withUsage = normalizeLogs(
    makeLogs([
      { time: at(0), attrs: { ...c, duration_ms: '0' } },
      { time: at(1), attrs: { ...c, input_token_count: '100', output_token_count: '10' } },
      { time: at(300), attrs: { ...c, duration_ms: '0' } },
      { time: at(300), attrs: { ...c, input_token_count: '7', output_token_count: '3' } },
    ]),
  );
  t.same(withUsage.map((o) => [o.kind, o.inputTokens, o.outputTokens]), [
    ['llm', 100, 10],
    ['llm', 7, 3],
  ]);
  const noUsage = normalizeLogs(
    makeLogs([
      { time: at(0), attrs: { ...c, duration_ms: '0' } },
      { time: at(250), attrs: { ...c, duration_ms: '0' } },
      { time: at(500), attrs: { ...c, duration_ms: '0' } },
    ]),
  );
  t.same(noUsage.map((o) => [o.kind, o.inputTokens]), [
    ['llm', null],
    ['llm', null],
    ['llm', null],
  ], 'a provider that reports no usage: still one call per completion');
});
