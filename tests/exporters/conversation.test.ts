// The conversation builder and the formatters over hand-made operations: history chaining, stitching where
// content is missing (marked partial, nothing invented), subagent parents, blame, and each format's output and
// rules on conversations written out by hand.
import t from 'tap';
import { type RunOperation, buildConversations } from '../../src/exporters/conversation.js';
import { openAiChat } from '../../src/exporters/corpora/openai-chat.js';
import { openAiPreference } from '../../src/exporters/corpora/openai-preference.js';
import { sharegpt } from '../../src/exporters/corpora/sharegpt.js';
import { trl } from '../../src/exporters/corpora/trl.js';
import { trlPreference } from '../../src/exporters/corpora/trl-preference.js';
import { cutBeforeBlamed, makePair } from '../../src/exporters/pipeline.js';
import { SECRET_PATTERNS, PII_PATTERNS, makeRedactor } from '../../src/exporters/redact.js';
import type { ChatMessage, Operation } from '../../src/model/operation.js';
import { emptyOperation } from '../../src/model/operation.js';

let n = 0;
function ro(init: Partial<Operation> & Pick<Operation, 'kind'>, failures: RunOperation['failures'] = [], group = 's:sess'): RunOperation {
  n++;
  const op = emptyOperation({ dialect: 'test', traceId: 'tr1', spanId: `sp${n}`, startTimeUnixNano: String(n * 1000), endTimeUnixNano: String(n * 1000 + 500), agentId: 'a1', agentName: 'main', ...init });
  return { op, failures, groupKey: group, version: '1000' };
}

const sys: ChatMessage = { role: 'system', parts: [{ type: 'text', text: 'You are terse.' }] };
const user: ChatMessage = { role: 'user', parts: [{ type: 'text', text: 'Weather in  Paris?' }] };
const callMsg: ChatMessage = { role: 'assistant', parts: [{ type: 'reasoning', text: 'need data' }, { type: 'tool_call', id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' }] };
const result: ChatMessage = { role: 'tool', parts: [{ type: 'tool_result', id: 'c1', name: 'weather', content: '{"c":18}' }] };
const final: ChatMessage = { role: 'assistant', parts: [{ type: 'text', text: 'It is 18°C.' }] };
const weatherTool = { name: 'weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

function history(): RunOperation[] {
  return [
    ro({ kind: 'agent', inputMessages: [user] }),
    ro({ kind: 'llm', inputMessages: [sys, user], outputMessages: [callMsg], tools: [weatherTool] }),
    ro({ kind: 'tool', toolName: 'weather', toolCallId: 'c1', toolArguments: '{"city":"Paris"}', toolResult: '{"c":18}', status: 'ok' }),
    ro({ kind: 'llm', inputMessages: [sys, user, callMsg, result], outputMessages: [final], tools: [weatherTool] }),
  ];
}

t.test('a run whose calls carry their history: one complete conversation, in order', async (t) => {
  const [c, ...rest] = buildConversations(history());
  t.equal(rest.length, 0);
  t.same(c.partial, []);
  t.same(c.messages.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'assistant']);
  t.same(c.messages[2].parts, callMsg.parts);
  t.same(c.tools, [weatherTool]);
  t.equal(c.runId, 's:sess/a1');
});

t.test('openai-chat, trl and sharegpt spell it as their trainers read it', async (t) => {
  const [c] = buildConversations(history());
  const ex = { conversation: c, messages: c.messages, tools: c.tools, weightZero: true };
  const o = openAiChat.format(ex);
  t.ok(o.ok);
  if (!o.ok) return;
  t.same(o.record, {
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Weather in  Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }], weight: 1 },
      { role: 'tool', tool_call_id: 'c1', content: '{"c":18}' },
      { role: 'assistant', content: 'It is 18°C.', weight: 1 },
    ],
    tools: [{ type: 'function', function: { name: 'weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    parallel_tool_calls: false,
  });
  t.same(o.lossy, ['reasoning_dropped']);
  t.equal(openAiChat.validate(o.record), undefined);

  const r = trl.format(ex);
  t.ok(r.ok);
  if (!r.ok) return;
  t.same((r.record as { messages: unknown[] }).messages, [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Weather in  Paris?' },
    { role: 'assistant', reasoning_content: 'need data', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: { city: 'Paris' } } }] },
    { role: 'tool', tool_call_id: 'c1', name: 'weather', content: '{"c":18}' },
    { role: 'assistant', content: 'It is 18°C.' },
  ]);
  t.equal(trl.validate(r.record), undefined);

  const s = sharegpt.format(ex);
  t.ok(s.ok);
  if (!s.ok) return;
  t.same((s.record as { conversations: unknown[] }).conversations, [
    { from: 'system', value: 'You are terse.' },
    { from: 'human', value: 'Weather in  Paris?' },
    { from: 'function_call', value: '{"name":"weather","arguments":{"city":"Paris"}}' },
    { from: 'observation', value: '{"c":18}' },
    { from: 'gpt', value: 'It is 18°C.' },
  ]);
  t.equal(sharegpt.validate(s.record), undefined);
});

t.test('blame: a failed tool call puts weight 0 on the turn that made it; drop cuts before it', async (t) => {
  const ops = history();
  ops[2].failures = [{ mode: 'tool_error', severity: 'medium', detector: 'span', evidence: 'x' }];
  const [c] = buildConversations(ops);
  t.same(c.messages[2].blamedBy, ['tool_error']);
  t.equal(c.failed, true);
  const o = openAiChat.format({ conversation: c, messages: c.messages, tools: c.tools, weightZero: true });
  t.ok(o.ok && (o.record as { messages: { weight?: number }[] }).messages[2].weight === 0);
  t.same(cutBeforeBlamed(c.messages), [], 'nothing trainable before the first turn');
  const later = history();
  later[3].failures = [{ mode: 'refusal', severity: 'medium', detector: 'span', evidence: 'x' }];
  const [c2] = buildConversations(later);
  t.same(cutBeforeBlamed(c2.messages).map((m) => m.role), ['system', 'user', 'assistant', 'tool'], 'the kept turn keeps its tool results');
});

t.test('no history on the calls: stitched from the prompt and tool records, marked partial, nothing invented', async (t) => {
  const ops = [
    ro({ kind: 'agent', inputMessages: [user] }, [], 's:cc'),
    ro({ kind: 'llm' }, [], 's:cc'),
    ro({ kind: 'tool', toolName: 'Bash', toolCallId: 'toolu_1', toolArguments: '{"command":"ls"}', toolResult: '', status: 'ok' }, [], 's:cc'),
    ro({ kind: 'llm', outputMessages: [final] }, [], 's:cc'),
  ];
  const [c] = buildConversations(ops);
  t.same(c.partial, ['llm_input_missing', 'llm_output_missing', 'tool_definitions_missing']);
  t.same(c.tools, [{ name: 'Bash' }], 'the tool called, by name only');
  t.same(
    c.messages.map((m) => [m.role, m.parts]),
    [
      ['user', user.parts],
      ['assistant', [{ type: 'tool_call', id: 'toolu_1', name: 'Bash', arguments: '{"command":"ls"}' }]],
      ['tool', [{ type: 'tool_result', id: 'toolu_1', name: 'Bash', content: '' }]],
      ['assistant', final.parts],
    ],
  );
});

t.test('a subagent is its own example and names its parent run and spawning call', async (t) => {
  const ops = [
    ...history(),
    ro({ kind: 'tool', toolName: 'Agent', toolCallId: 'spawn1', status: 'ok' }),
    ro({ kind: 'subagent', agentId: 'sub1', parentAgentId: 'a1', toolCallId: 'spawn1', depth: 1, agentName: 'general' }),
    ro({ kind: 'llm', agentId: 'sub1', depth: 1, inputMessages: [user], outputMessages: [final] }),
  ];
  const convs = buildConversations(ops);
  t.equal(convs.length, 2);
  const sub = convs.find((c) => c.agentId === 'sub1');
  t.match(sub?.parent, { runId: 's:sess/a1', agentId: 'a1', toolCallId: 'spawn1', toolSpanId: ops[4].op.spanId });
  t.equal(convs.find((c) => c.agentId === 'a1')?.parent, undefined);
});

t.test('a rewritten history (compaction) starts a new segment', async (t) => {
  const summary: ChatMessage = { role: 'user', parts: [{ type: 'text', text: 'Summary so far' }] };
  const ops = [...history(), ro({ kind: 'llm', inputMessages: [summary], outputMessages: [final] })];
  const convs = buildConversations(ops);
  t.same(convs.map((c) => c.id), ['s:sess/a1#0', 's:sess/a1#1']);
  t.same(convs[1].messages.map((m) => m.role), ['user', 'assistant']);
});

t.test('rules: each format refuses what its trainer would reject', async (t) => {
  const msgs = (extra: object) => ({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo', weight: 1, ...extra }] });
  t.equal(openAiChat.validate(msgs({})), undefined);
  t.equal(openAiChat.validate(msgs({ weight: 2 })), 'invalid_weight');
  t.equal(openAiChat.validate({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: '', weight: 1 }] }), 'empty_assistant_turn');
  t.equal(openAiChat.validate({ messages: [{ role: 'assistant', content: 'x', weight: 1 }] }), 'first_turn_not_user');
  t.equal(openAiChat.validate({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'x', weight: 0 }] }), 'no_trainable_assistant_turn');
  t.equal(openAiChat.validate({ messages: [{ role: 'user', content: 'hi' }, { role: 'robot', content: 'x' }] }), 'unrecognized_role');
  t.equal(openAiChat.validate({ ...msgs({}), extra: 1 }), 'unrecognized_key');
  const call = (name: string, args: unknown, id = 'c1') => ({ id, type: 'function', function: { name, arguments: args } });
  const tools = [{ type: 'function', function: { name: 'f' } }];
  const withCall = (c: object, tail: object[]) => ({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, weight: 1, tool_calls: [c] }, ...tail], tools });
  t.equal(openAiChat.validate(withCall(call('f', '{}'), [{ role: 'tool', tool_call_id: 'c1', content: 'r' }])), undefined);
  t.equal(openAiChat.validate(withCall(call('g', '{}'), [{ role: 'tool', tool_call_id: 'c1', content: 'r' }])), 'tool_not_declared');
  t.equal(openAiChat.validate(withCall(call('f', '{oops'), [{ role: 'tool', tool_call_id: 'c1', content: 'r' }])), 'arguments_not_json_object');
  t.equal(openAiChat.validate(withCall(call('f', '{}'), [])), 'unanswered_tool_call');
  t.equal(openAiChat.validate(withCall(call('f', '{}'), [{ role: 'tool', tool_call_id: 'c9', content: 'r' }])), 'orphan_tool_result');
  t.equal(openAiChat.validate(withCall(call('f', '{}', ''), [{ role: 'tool', tool_call_id: '', content: 'r' }])), 'tool_call_without_id');
  // TRL: arguments are objects and tool messages name the tool.
  const trlRow = (args: unknown, toolMsg: object) => ({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', tool_calls: [call('f', args)] }, toolMsg], tools });
  t.equal(trl.validate(trlRow({}, { role: 'tool', tool_call_id: 'c1', name: 'f', content: 'r' })), undefined);
  t.equal(trl.validate(trlRow('{}', { role: 'tool', tool_call_id: 'c1', name: 'f', content: 'r' })), 'arguments_not_json_object');
  t.equal(trl.validate(trlRow({}, { role: 'tool', tool_call_id: 'c1', content: 'r' })), 'orphan_tool_result');
  t.equal(trl.validate({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'x' }] }), 'missing_tools_column');
  // ShareGPT: strict alternation, even count, calls answered and declared.
  t.equal(sharegpt.validate({ conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 'b' }] }), undefined);
  t.equal(sharegpt.validate({ conversations: [{ from: 'human', value: 'a' }, { from: 'human', value: 'b' }] }), 'invalid_role_order');
  t.equal(sharegpt.validate({ conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 'b' }, { from: 'human', value: 'c' }] }), 'invalid_message_count');
  t.equal(
    sharegpt.validate({ conversations: [{ from: 'human', value: 'a' }, { from: 'function_call', value: '{"name":"g","arguments":{}}' }, { from: 'observation', value: 'r' }, { from: 'gpt', value: 'b' }], tools: JSON.stringify(tools) }),
    'tool_not_declared',
  );
});

t.test('preference: the pair is cut at the first assistant turn where two runs of a task differ', async (t) => {
  const good = buildConversations(history())[0];
  const badOps = history();
  const leak: ChatMessage = { role: 'assistant', parts: [{ type: 'text', text: '<tool_call>{"name":"weather"}</tool_call>' }] };
  badOps[1].op.outputMessages = [leak];
  badOps[1].failures = [{ mode: 'tool_markup_leak', severity: 'medium', detector: 'span', evidence: '<tool_call>' }];
  badOps.splice(2);
  const bad = buildConversations(badOps)[0];
  t.equal(bad.failed, true);
  const pair = makePair('weather in paris?', good, bad);
  if (typeof pair === 'string') return t.fail(pair);
  t.same(pair.input.map((m) => m.role), ['system', 'user']);
  const o = openAiPreference.format(pair);
  if (!o.ok) return t.fail(o.reason);
  t.same(o.record, {
    input: {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in  Paris?' },
      ],
      tools: [{ type: 'function', function: { name: 'weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      parallel_tool_calls: false,
    },
    preferred_output: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] }],
    non_preferred_output: [{ role: 'assistant', content: '<tool_call>{"name":"weather"}</tool_call>' }],
  });
  t.equal(openAiPreference.validate(o.record), undefined);
  const r = trlPreference.format(pair);
  if (!r.ok) return t.fail(r.reason);
  t.equal(trlPreference.validate(r.record), undefined);
  t.same((r.record as { rejected: unknown }).rejected, [{ role: 'assistant', content: '<tool_call>{"name":"weather"}</tool_call>' }]);
  t.equal(makePair('k', good, good), 'no_differing_turn');
});

t.test('redaction: each default secret pattern, passwords only in tool arguments, PII only on request', async (t) => {
  const r = makeRedactor(SECRET_PATTERNS);
  const counts = new Map<string, number>();
  const key = 'sk-proj-' + 'a1B2'.repeat(8);
  t.equal(r.text(`use ${key} now`, counts), 'use [REDACTED:openai_key] now');
  t.equal(r.text('AKIAIOSFODNN7EXAMPLE', counts), '[REDACTED:aws_access_key]');
  t.equal(r.text('ghp_' + 'x'.repeat(36), counts), '[REDACTED:github_token]');
  t.equal(r.text('xoxb-1234567890-abc', counts), '[REDACTED:slack_token]');
  t.equal(r.text('Authorization: Bearer abcdef0123456789xyz', counts), 'Authorization: Bearer [REDACTED:bearer_token]');
  t.equal(r.text('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', counts), '[REDACTED:private_key]');
  t.equal(r.text('{"user":"bob","password":"hunter2"}', counts, true), '{"user":"bob","password":"[REDACTED:password]"}');
  t.equal(r.text('{"user":"bob","password":"hunter2"}', counts), '{"user":"bob","password":"hunter2"}', 'not outside tool arguments');
  t.equal(r.text('mail bob@example.com', counts), 'mail bob@example.com');
  t.same(Object.fromEntries(counts), { openai_key: 1, aws_access_key: 1, github_token: 1, slack_token: 1, bearer_token: 1, private_key: 1, password: 1 });
  const pii = makeRedactor(PII_PATTERNS);
  t.equal(pii.text('mail bob@example.com or +1 415 555 0100', counts), 'mail [REDACTED:email] or [REDACTED:phone]');
});

t.test('calls stamped out of order still make one conversation', async (t) => {
  const ops = history();
  // The second call starts first (clock skew between processes).
  [ops[1].op.startTimeUnixNano, ops[3].op.startTimeUnixNano] = [ops[3].op.startTimeUnixNano, ops[1].op.startTimeUnixNano];
  const convs = buildConversations(ops);
  t.equal(convs.length, 1);
  t.same(convs[0].messages.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'assistant']);
  t.equal(convs[0].messages[2].from, ops[1].op.spanId, 'the first turn still belongs to the call that made it');
});
