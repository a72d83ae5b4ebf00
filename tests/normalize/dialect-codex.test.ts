// Codex CLI log events.
import t from 'tap';
import { codexLogs } from '../../src/normalize/dialects/codex.js';
import { normalizeLogs } from '../../src/normalize/index.js';
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
