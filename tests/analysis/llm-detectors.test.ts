// Span-local detectors on LLM calls (and compaction records): hit and non-hit cases.
import t from 'tap';
import { detectSpan } from '../../src/analysis/detect.js';
import type { FailureMode } from '../../src/model/failure.js';
import { refusalPhrase } from '../../src/analysis/detectors/refusal.js';
import type { Operation } from '../../src/model/operation.js';
import { answer, assistant, call, op, reasoning, text, matchAll } from './ops.js';

const modes = (o: Operation): FailureMode[] => detectSpan(o).map((f) => f.mode);
const llm = (init: Partial<Operation>): Operation => op({ kind: 'llm', requestModel: 'gpt-x', ...init });

t.test('tool_markup_leak', async (t) => {
  const leaks = [
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    'Sure.</tool_call>',
    '<function=get_weather>{"city": "Paris"}</function>',
    '<|python_tag|>get_weather.call(city="Paris")',
    '[TOOL_CALLS][{"name": "get_weather", "arguments": {}}]',
    '<|tool_call|>{"name":"x"}',
    '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>x',
    'get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value>',
    '<function_calls><invoke name="x"></invoke></function_calls>',
    '{"name": "get_weather", "arguments": {"city": "Paris"}}',
    '```json\n{"name": "get_weather", "parameters": {"city": "Paris"}}\n```',
    '[{"name": "a", "arguments": "{}"}]',
    '{"type": "function", "function": {"name": "a", "arguments": "{}"}}',
  ];
  for (const leak of leaks) t.same(modes(llm({ finishReason: 'stop', outputMessages: assistant(text(leak)) })), ['tool_markup_leak'], leak.slice(0, 30));

  const long = 'a'.repeat(20000) + ' then <tool_call>{"name":"x"}</tool_call>';
  const [f] = detectSpan(llm({ outputMessages: assistant(text(long)) }));
  t.match(f, { mode: 'tool_markup_leak', severity: 'high', model: 'gpt-x', evidence: /^….*<tool_call>/ }, 'found in the tail of a long text, evidence around it');
  t.ok(f.evidence.length <= 300);

  const clean = [
    'The weather in Paris is 18°C.',
    'Call it like this: {"name": "get_weather", "arguments": {"city": "Paris"}} and you get JSON back.',
    '{"temperature": 18, "sky": "cloudy"}',
    'Use a function to compute it; the arguments are x and y.',
  ];
  for (const c of clean) t.same(modes(llm({ outputMessages: assistant(text(c)) })), [], c.slice(0, 30));
  t.same(modes(llm({ outputMessages: assistant(reasoning('I should emit <tool_call> now'), call('x', '{}')) })), [], 'reasoning is not visible text');
  t.same(modes(llm({ inputMessages: [{ role: 'user', parts: [text('what does <tool_call> mean?')] }], outputMessages: assistant(text('A Hermes marker.')) })), [], 'user text is not scanned');
  const middle = 'a'.repeat(10000) + '<tool_call>' + 'b'.repeat(10000);
  t.same(modes(llm({ outputMessages: assistant(text(middle)) })), [], 'the middle of a long text is not scanned (bounded cost)');
});

t.test('llm_error', async (t) => {
  const cases: [Partial<Operation>, string][] = [
    [{ status: 'error', errorType: '429', errorMessage: 'Too Many Requests' }, '[rate_limit] 429: Too Many Requests'],
    [{ status: 'error', errorType: 'RateLimitError' }, '[rate_limit] RateLimitError'],
    [{ status: 'error', errorType: '529', errorMessage: 'Overloaded' }, '[overloaded] 529: Overloaded'],
    [{ status: 'error', errorType: 'overloaded_error' }, '[overloaded] overloaded_error'],
    [{ status: 'error', errorType: '401', errorMessage: 'invalid x-api-key' }, '[auth] 401: invalid x-api-key'],
    [{ status: 'error', errorType: 'APITimeoutError', errorMessage: 'Request timed out.' }, '[timeout] APITimeoutError: Request timed out.'],
    [{ status: 'error', errorType: '500' }, '[server] 500'],
    [{ status: 'error', errorType: '400', errorMessage: 'messages: roles must alternate' }, '[bad_request] 400: messages: roles must alternate'],
    [{ status: 'error' }, '[api_error] finish_reason=error'],
    [{ finishReason: 'error' }, '[api_error] finish_reason=error'],
  ];
  for (const [init, evidence] of cases) {
    const f = detectSpan(llm(init));
    t.match(f, [{ mode: 'llm_error', evidence, severity: evidence.startsWith('[auth]') ? 'high' : 'medium' }], evidence);
    t.equal(f.length, 1);
  }
  t.same(modes(llm({ status: 'ok', finishReason: 'stop', outputMessages: assistant(text('hi')) })), []);
  t.same(modes(op({ kind: 'agent', status: 'error', errorType: '429' })), [], 'agent operations are judged at run level');
  t.same(modes(llm({ status: 'error', errorType: 'MaxTurnsExceeded' })), [], 'turn caps are max_turns_exhausted, at run level');
});

t.test('context_overflow', async (t) => {
  for (const init of [
    { status: 'error' as const, errorType: 'context_length_exceeded', errorMessage: "This model's maximum context length is 128000 tokens" },
    { status: 'error' as const, errorType: '400', errorMessage: 'prompt is too long: 201234 tokens > 200000 maximum' },
    { status: 'error' as const, errorType: 'ContextWindowExceededError' },
    { finishReason: 'model_context_window_exceeded', inputTokens: 199000 },
  ]) {
    t.same(modes(llm(init)), ['context_overflow'], JSON.stringify(init));
  }
  matchAll(t, detectSpan(llm({ finishReason: 'model_context_window_exceeded', inputTokens: 199000 })), [{ severity: 'high', evidence: 'finish_reason=model_context_window_exceeded (input_tokens=199000)' }]);
  t.same(modes(llm({ inputTokens: 990000, finishReason: 'tool_use' })), [], 'a large prompt that was accepted is not an overflow');
  t.same(modes(llm({ status: 'error', errorType: '429' })), ['llm_error']);
});

t.test('output_truncated', async (t) => {
  for (const fr of ['length', 'max_tokens', 'MAX_TOKENS', 'tool_calls,length']) {
    t.same(modes(llm({ finishReason: fr, outputMessages: assistant(text('partial')) })), ['output_truncated'], fr);
  }
  const [f] = detectSpan(llm({ finishReason: 'max_tokens', outputTokens: 4096, outputMessages: assistant(text('x'.repeat(1000) + ' and then the answ')) }));
  t.match(f, { severity: 'medium', evidence: /^finish_reason=max_tokens, output_tokens=4096: …x+ and then the answ$/ });
  t.same(modes(llm({ finishReason: 'length', outputMessages: [] })), ['output_truncated'], 'no content captured: still truncated');
  for (const fr of ['stop', 'end_turn', 'tool_use', '']) t.same(modes(llm({ finishReason: fr, outputMessages: assistant(text('ok')) })), [], fr || 'no reason');
});

t.test('empty_response', async (t) => {
  matchAll(t, detectSpan(llm({ finishReason: 'stop', outputMessages: assistant(text('  \n')) })), [{ mode: 'empty_response', severity: 'medium', evidence: 'assistant output has no text, tool call or reasoning (finish_reason=stop)' }]);
  t.same(modes(llm({ finishReason: 'end_turn', outputMessages: [{ role: 'assistant', parts: [] }] })), ['empty_response']);
  t.same(modes(llm({ finishReason: 'stop', outputTokens: 0 })), ['empty_response'], 'no content captured but zero output tokens');

  t.same(modes(llm({ finishReason: 'stop', outputTokens: 40 })), [], 'content not captured is not empty');
  t.same(modes(llm({ finishReason: 'tool_calls', outputMessages: assistant(call('x', '{}')) })), []);
  t.same(modes(llm({ finishReason: 'stop', outputMessages: assistant(reasoning('thinking...')) })), [], 'reasoning only');
  t.same(modes(llm({ finishReason: 'length', outputMessages: assistant(text('')) })), ['output_truncated'], 'explained by truncation');
  t.same(modes(llm({ finishReason: 'content_filter', outputMessages: assistant(text('')) })), ['refusal'], 'explained by the filter');
  t.same(modes(llm({ status: 'error', errorType: '500', outputTokens: 0 })), ['llm_error'], 'a failed call is an llm_error, not empty');
});

t.test('refusal', async (t) => {
  for (const fr of ['content_filter', 'refusal', 'SAFETY', 'RECITATION', 'PROHIBITED_CONTENT']) {
    matchAll(t, detectSpan(llm({ finishReason: fr })), [{ mode: 'refusal', severity: 'medium' }], fr);
  }
  matchAll(t, detectSpan(llm({ status: 'error', errorType: '400', errorMessage: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy" })), [{ mode: 'refusal', severity: 'medium' }], 'Azure content filter error');
  t.same(modes(llm({ finishReason: 'refusal', errorType: 'refusal', errorMessage: 'cyber' })), ['refusal'], 'Claude Code api_refusal shape: not also an llm_error');

  const phrases = ["I can't help with that.", "I’m sorry, but I can’t assist with that request.", 'Sorry, I cannot comply with this.', "I'm not able to help with creating malware."];
  for (const p of phrases) matchAll(t, detectSpan(answer(p)), [{ mode: 'refusal', severity: 'low', evidence: p }], p);

  const notRefusals = [
    "I can't help but notice the tests fail.",
    'I cannot find the file notes.txt; it does not exist.',
    'Here is the summary. I can’t help with the second part because the file is missing, but the first part is done.'.padEnd(500, '.'),
    'The user said "I can\'t help with that" earlier.',
    'Done: I ran the commands.',
  ];
  for (const p of notRefusals) t.same(modes(answer(p)), [], p.slice(0, 40));
  t.same(modes(llm({ finishReason: 'tool_calls', outputMessages: assistant(text("I can't help with that directly, let me search."), call('search', '{}')) })), [], 'a refusal-like opening followed by a tool call');
  t.equal(refusalPhrase(''), null);
});

t.test('compaction', async (t) => {
  const c = op({ kind: 'compaction', compaction: { trigger: 'auto', tokensBefore: 990841, tokensAfter: 2541, estimated: false }, agentName: 'claude-code' });
  matchAll(t, detectSpan(c), [{ mode: 'compaction', severity: 'low', agentName: 'claude-code', evidence: 'auto compaction: 990841 -> 2541 tokens' }]);
  matchAll(t, detectSpan(op({ kind: 'compaction' })), [{ evidence: 'compaction' }], 'no details');
  matchAll(t, detectSpan(op({ kind: 'llm', finishReason: 'stop', compaction: { trigger: 'manual', tokensBefore: null, tokensAfter: null, estimated: true } })), [{ mode: 'compaction', evidence: 'manual compaction' }], 'an LLM call carrying compaction details');
  matchAll(t, detectSpan(op({ kind: 'compaction', status: 'error', errorType: 'compaction_failed', errorMessage: 'boom', compaction: { trigger: 'auto', tokensBefore: null, tokensAfter: null, estimated: false } })), [{ severity: 'medium', evidence: 'auto compaction failed: compaction_failed: boom' }]);
  t.same(modes(answer('fine')), []);
  t.same(modes(op({ kind: 'agent' })), []);
});
