// tool_error, tool_timeout, invalid_tool_arguments, unknown_tool: hit and non-hit cases.
import t from 'tap';
import { detectSpan } from '../../src/analysis/detect.js';
import type { FailureMode } from '../../src/model/failure.js';
import type { Operation } from '../../src/model/operation.js';
import { assistant, call, op, text, tool, matchAll } from './ops.js';

const modes = (o: Operation): FailureMode[] => detectSpan(o).map((f) => f.mode);

t.test('tool_error', async (t) => {
  const failed = tool('Read', '{"file_path":"/nope"}', {
    status: 'error',
    errorType: 'tool_error',
    errorMessage: 'File does not exist.',
    traceId: 'abc',
    agentName: 'main',
    sessionId: 'sess',
    serviceName: 'svc',
    requestModel: 'm1',
  });
  const [f, ...rest] = detectSpan(failed);
  t.same(rest, []);
  t.match(f, {
    mode: 'tool_error',
    severity: 'medium',
    traceId: 'abc',
    spanId: failed.spanId,
    agentName: 'main',
    sessionId: 'sess',
    serviceName: 'svc',
    toolName: 'Read',
    model: 'm1',
    detector: 'span',
    evidence: 'Read: tool_error: File does not exist.',
    timeUnixNano: failed.startTimeUnixNano,
  });
  t.same(modes(tool('X', '{}', { status: 'error' })), ['tool_error'], 'status alone is enough');
  t.same(modes(tool('X', '{}', { errorType: 'ValueError' })), ['tool_error'], 'an error type with status unset');
  for (const result of ['Traceback (most recent call last):\n  File "x.py"', 'Error: non-delivered order cannot be exchanged', '<tool_use_error>File has not been read yet</tool_use_error>', '{"content":[{"type":"text","text":"boom"}], "isError": true}']) {
    t.same(modes(tool('X', '{}', { toolResult: result })), ['tool_error'], `error payload: ${result.slice(0, 20)}`);
  }

  t.same(modes(tool('Bash', '{"command":"ls"}')), [], 'a successful call');
  t.same(modes(tool('Grep', '{}', { toolResult: 'src/a.ts: throw new Error("x")\nError: appears later' })), [], 'errors mentioned inside normal output');
  t.same(modes(tool('X', '{}', { toolResult: '{"isError": false, "content": []}' })), []);
  t.same(modes(op({ kind: 'other', status: 'error', errorMessage: 'child span' })), [], 'errors on non-tool operations are not tool errors');
});

t.test('tool_timeout', async (t) => {
  for (const init of [
    { errorType: 'timeout' },
    { errorType: 'TimeoutError', errorMessage: 'x' },
    { status: 'error' as const, errorMessage: 'httpx.ReadTimeout: The read operation timed out' },
    { errorType: '504' },
    { status: 'error' as const, errorMessage: 'context deadline exceeded' },
    { toolResult: 'Error: command timed out after 120s' },
  ]) {
    t.same(modes(tool('Bash', '{}', init)), ['tool_timeout'], JSON.stringify(init));
  }
  const [f] = detectSpan(tool('Bash', '{}', { errorType: 'timeout', errorMessage: 'after 30s' }));
  t.match(f, { severity: 'medium', toolName: 'Bash', evidence: 'Bash: timeout: after 30s' });
  t.same(modes(tool('Bash', '{}', { status: 'error', errorMessage: 'exit code 1' })), ['tool_error'], 'other errors are not timeouts');
  t.same(modes(tool('Bash', '{}', { toolResult: 'set timeout=30 in config' })), [], 'the word in ordinary output');
});

const tools = [
  { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
  { name: 'search', parameters: JSON.stringify({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }) },
  { name: 'noschema' },
];
const llmCalling = (...parts: ReturnType<typeof call>[]): Operation => op({ kind: 'llm', tools, finishReason: 'tool_calls', outputMessages: assistant(...parts) });

t.test('invalid_tool_arguments', async (t) => {
  const notJson = detectSpan(llmCalling(call('get_weather', '{"city": "Par')));
  t.same(notJson.map((f) => f.mode), ['invalid_tool_arguments']);
  t.match(notJson[0], { severity: 'high', toolName: 'get_weather', evidence: /^get_weather: arguments are not JSON: .*\{"city": "Par/ });

  const missing = detectSpan(llmCalling(call('get_weather', '{}')));
  matchAll(t, missing, [{ mode: 'invalid_tool_arguments', evidence: 'get_weather: missing required property "city" in {}' }]);
  matchAll(t, detectSpan(llmCalling(call('get_weather', '{"city":"x","country":"FR"}'))), [{ evidence: /unexpected property "country"/ }]);
  matchAll(t, detectSpan(llmCalling(call('search', '{"q":3}'))), [{ evidence: /\/q: expected string, got integer/ }], 'schema given as JSON text');
  const two = detectSpan(llmCalling(call('get_weather', '{}'), call('search', '{}'), call('search', '{"q":"ok"}')));
  t.equal(two.length, 1, 'one instance per operation');
  t.match(two[0], { toolName: 'get_weather', evidence: /\(\+1 more\)$/ });

  t.same(modes(llmCalling(call('get_weather', '{"city":"Paris"}'))), []);
  t.same(modes(llmCalling(call('noschema', '{"anything":1}'))), [], 'no schema declared: only JSON syntax is checked');
  t.same(modes(llmCalling(call('noschema', ''))), [], 'empty arguments are {}');
  t.same(modes(op({ kind: 'llm', finishReason: 'tool_calls', outputMessages: assistant(call('anything', '{"x":1}')) })), [], 'no tools declared');
  t.same(modes(tool('get_weather', 'not json at all')), [], 'tool operations are not checked (plain-text inputs exist)');
  t.same(modes(op({ kind: 'llm', tools, inputMessages: assistant(call('get_weather', '{')) })), [], 'history in the input is not this call');
});

t.test('unknown_tool', async (t) => {
  const f = detectSpan(llmCalling(call('get_wether', '{"city":"x"}')));
  t.match(f, [{ mode: 'unknown_tool', severity: 'high', toolName: 'get_wether', evidence: 'called "get_wether"; declared: get_weather, search, noschema' }]);
  t.equal(f.length, 1, 'an undeclared tool is not also checked against a schema');
  matchAll(t, detectSpan(llmCalling(call('a', '{}'), call('b', '{}'))), [{ evidence: /^called "a" \(\+1 more\)/ }]);

  t.same(modes(llmCalling(call('search', '{"q":"x"}'))), []);
  t.same(modes(op({ kind: 'llm', outputMessages: assistant(call('whatever', '{}')) })), [], 'no declared tools: nothing to compare with');
  t.same(modes(op({ kind: 'llm', tools, outputMessages: assistant(text('no calls')) })), []);
});
