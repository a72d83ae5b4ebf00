// Claude Code (example payloads in tests/normalize/fixtures); the real captures are in claude-code-fixtures.test.ts.
import t from 'tap';
import { claudeCodeLogs, claudeCodeSpans } from '../../src/normalize/dialects/claude-code.js';
import { normalizeLogs, normalizeSpans } from '../../src/normalize/index.js';
import { exampleLogs, exampleSpans, makeLogs, makeSpans } from './helpers.js';

const SESSION = '9b6c1f0e-2d7a-4f1e-8d7c-5b1f0a3e2c11';

t.test('(a) logs: a subagent api_request, a failed tool_result, a compaction', async (t) => {
  const logs = exampleLogs('claude-code-logs');
  for (const l of logs) t.ok(claudeCodeLogs.matches(l));
  const ops = normalizeLogs(logs);
  const llm = ops.find((o) => o.kind === 'llm')!;
  t.match(llm, {
    requestModel: 'claude-sonnet-5',
    provider: 'anthropic',
    inputTokens: 12 + 31840 + 2210,
    outputTokens: 480,
    cacheReadTokens: 31840,
    cacheWriteTokens: 2210,
    costUsd: 0.0251,
    requestId: 'req_011CV…',
    sessionId: SESSION,
    agentName: 'Explore',
    parentAgentId: SESSION,
    depth: 1,
  });
  // No agent id on the event (older versions): a subagent of that type in that turn.
  const sub = ops.find((o) => o.kind === 'subagent')!;
  t.match(sub, { agentName: 'Explore', agentId: llm.agentId, parentAgentId: SESSION });
  const tool = ops.find((o) => o.kind === 'tool')!;
  t.match(tool, { toolName: 'Bash', toolCallId: 'toolu_01Ab', status: 'error', errorType: 'ShellError', toolArguments: '{"bash_command":"pytest","full_command":"pytest -x"}' });
  t.equal(tool.startTimeUnixNano, String(1760000012000000000n - 920_000_000n), 'start = event time - duration_ms');
  const comp = ops.find((o) => o.kind === 'compaction')!;
  t.same(comp.compaction, { trigger: 'auto', tokensBefore: 187000, tokensAfter: 21500, estimated: false });
});

t.test('(b) spans: subagent llm_request under the Agent tool span', async (t) => {
  const spans = exampleSpans('claude-code-subagent-spans');
  for (const s of spans) t.ok(claudeCodeSpans.matches(s));
  const ops = normalizeSpans(spans);
  const llm = ops.find((o) => o.kind === 'llm')!;
  t.match(llm, { agentId: 'a7f3c2', agentName: 'Explore', parentAgentId: SESSION, depth: 1, sessionId: SESSION, finishReason: 'tool_call', status: 'ok' });
  t.equal(llm.inputTokens, 9 + 14000 + 900);
  const sub = ops.find((o) => o.kind === 'subagent')!;
  t.match(sub, { agentId: 'a7f3c2', agentName: 'Explore', toolCallId: 'toolu_01Sub', toolName: 'Agent', parentSpanId: '4000000000000002', depth: 1 });
  t.equal(ops.find((o) => o.kind === 'agent')?.agentId, SESSION, 'the main agent is identified by the session');
});

t.test('tool.execution completes its tool span; a rejected permission marks it', async (t) => {
  const a = { 'session.id': 's1' };
  const ops = normalizeSpans(
    makeSpans([
      { name: 'claude_code.tool', spanId: '00000000000000a1', attrs: { ...a, tool_name: 'Edit', tool_use_id: 'toolu_9', file_path: '/x.ts' } },
      { name: 'claude_code.tool.blocked_on_user', spanId: '00000000000000a2', parentSpanId: '00000000000000a1', attrs: { ...a, decision: 'reject', source: 'user_reject' } },
      { name: 'claude_code.tool', spanId: '00000000000000b1', attrs: { ...a, tool_name: 'Bash', tool_use_id: 'toolu_10' } },
      { name: 'claude_code.tool.execution', spanId: '00000000000000b2', parentSpanId: '00000000000000b1', attrs: { ...a, success: true, tool_use_id: 'toolu_10' } },
    ]),
  );
  t.equal(ops.length, 2, 'companion spans are folded, not counted');
  t.match(ops[0], { toolName: 'Edit', status: 'error', errorType: 'permission_denied', toolArguments: '{"file_path":"/x.ts"}' });
  t.match(ops[1], { toolName: 'Bash', status: 'ok' });
});

t.test('an execution span whose tool span is in another batch stands in for it', async (t) => {
  const ops = normalizeSpans(
    makeSpans([{ name: 'claude_code.tool.execution', spanId: '00000000000000b2', parentSpanId: '00000000000000b1', status: { code: 2, message: 'boom' }, attrs: { 'session.id': 's', tool_use_id: 'toolu_1', success: false, error: 'boom' } }]),
  );
  t.equal(ops.length, 1);
  t.match(ops[0], { kind: 'tool', spanId: '00000000000000b1', toolCallId: 'toolu_1', status: 'error', errorMessage: 'boom' });
});

t.test('logs: api_error, refusal, request/response bodies, rejected decision, /compact trigger', async (t) => {
  const a = { 'session.id': 's1', 'prompt.id': 'p1' };
  const body = JSON.stringify({ system: 'sys', messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'Bash', input_schema: { type: 'object' } }] });
  const resp = JSON.stringify({ model: 'claude-x-1', stop_reason: 'max_tokens', content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }] });
  const ops = normalizeLogs(
    makeLogs(
      [
        { body: 'claude_code.api_error', attrs: { ...a, 'event.name': 'api_error', model: 'm', error: 'overloaded', status_code: 529, request_id: 'r0' } },
        { body: 'claude_code.api_request_body', attrs: { ...a, 'event.name': 'api_request_body', request_id: 'r1', body } },
        { body: 'claude_code.api_request', attrs: { ...a, 'event.name': 'api_request', model: 'm', request_id: 'r1', input_tokens: '10', output_tokens: '5', cost_usd_micros: 1500 } },
        { body: 'claude_code.api_response_body', attrs: { ...a, 'event.name': 'api_response_body', request_id: 'r1', body: resp } },
        { body: 'claude_code.api_refusal', attrs: { ...a, 'event.name': 'api_refusal', request_id: 'r2', category: 'cyber' } },
        { body: 'claude_code.tool_decision', attrs: { ...a, 'event.name': 'tool_decision', decision: 'reject', tool_name: 'Bash', tool_use_id: 'toolu_1', source: 'user_reject' } },
        { body: 'claude_code.plugin_loaded', attrs: { ...a, 'event.name': 'plugin_loaded' } },
      ],
      { service: 'claude-code' },
    ),
  );
  t.equal(ops.length, 4, 'bodies fold into their request; plugin_loaded is not an operation');
  t.match(ops[0], { kind: 'llm', status: 'error', errorType: '529', errorMessage: 'overloaded' });
  t.match(ops[1], { kind: 'llm', requestId: 'r1', inputTokens: 10, outputTokens: 5, costUsd: 0.0015, finishReason: 'length', responseModel: 'claude-x-1' });
  t.same(ops[1].inputMessages, [
    { role: 'system', parts: [{ type: 'text', text: 'sys' }] },
    { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
  ]);
  t.same(ops[1].outputMessages, [
    {
      role: 'assistant',
      parts: [
        { type: 'reasoning', text: 'hmm' },
        { type: 'tool_call', id: 'toolu_1', name: 'Bash', arguments: '{"command":"ls"}' },
      ],
    },
  ]);
  t.same(ops[1].tools, [{ name: 'Bash', parameters: { type: 'object' } }]);
  t.match(ops[2], { kind: 'llm', finishReason: 'refusal' });
  t.match(ops[3], { kind: 'tool', status: 'error', errorType: 'permission_denied', toolCallId: 'toolu_1' });

  const manual = normalizeSpans(
    makeSpans([
      { name: 'claude_code.interaction', spanId: '0000000000000001', attrs: { 'session.id': 's', user_prompt: '/compact keep the plan' } },
      { name: 'claude_code.llm_request', spanId: '0000000000000002', parentSpanId: '0000000000000001', attrs: { 'session.id': 's', query_source: 'compact', request_id: 'rc' } },
    ]),
  );
  t.equal(manual.find((o) => o.kind === 'compaction')?.compaction?.trigger, 'manual');
});

t.test('recognized by the prefixed body when service.name was overridden', async (t) => {
  const logs = makeLogs([{ body: 'claude_code.tool_result', attrs: { 'event.name': 'tool_result', 'session.id': 's', tool_name: 'Read', tool_use_id: 'toolu_1', success: 'true' } }], { service: 'my-team-agent' });
  t.ok(claudeCodeLogs.matches(logs[0]));
  t.match(normalizeLogs(logs), [{ kind: 'tool', toolName: 'Read', status: 'ok', serviceName: 'my-team-agent' }]);
});

t.test('negative: look-alikes are not Claude Code', async (t) => {
  const [span] = makeSpans([{ name: 'claude.chat', spanId: '0000000000000001', attrs: { 'gen_ai.system': 'anthropic' } }]);
  t.notOk(claudeCodeSpans.matches(span));
  t.equal(normalizeSpans([span])[0].dialect, 'otel-genai');
  const [log] = makeLogs([{ body: 'api_request finished', attrs: { 'event.name': 'api_request' } }], { service: 'my-app' });
  t.notOk(claudeCodeLogs.matches(log));
});
