// One chat-message shape out of every provider/framework message format.
import t from 'tap';
import { systemMessages, toChatMessages, toToolDefinitions } from '../../src/normalize/messages.js';

t.test('semconv parts, incl. tool_call_response with `response` or `result`, blobs and uris', async (t) => {
  t.same(
    toChatMessages([
      { role: 'assistant', parts: [{ type: 'reasoning', content: 'think' }, { type: 'tool_call', id: 'c', name: 'f', arguments: { x: 1 } }], finish_reason: 'tool_call' },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c', response: { ok: true } }, { type: 'tool_call_response', id: 'd', result: 'r' }] },
      { role: 'user', parts: [{ type: 'uri', modality: 'image', mime_type: 'image/png', uri: 'https://x' }, { type: 'blob', modality: 'audio', content: 'AAA=' }] },
    ]),
    [
      { role: 'assistant', parts: [{ type: 'reasoning', text: 'think' }, { type: 'tool_call', id: 'c', name: 'f', arguments: '{"x":1}' }] },
      { role: 'tool', parts: [{ type: 'tool_result', id: 'c', content: '{"ok":true}' }, { type: 'tool_result', id: 'd', content: 'r' }] },
      { role: 'user', parts: [{ type: 'media', mimeType: 'image/png', uri: 'https://x' }, { type: 'media', mimeType: 'audio', data: 'AAA=' }] },
    ],
  );
});

t.test('OpenAI chat: content string, tool_calls, tool role', async (t) => {
  t.same(
    toChatMessages('[{"role":"developer","content":"rules"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"42"}]'),
    [
      { role: 'system', parts: [{ type: 'text', text: 'rules' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' }] },
      { role: 'tool', parts: [{ type: 'tool_result', id: 'c1', content: '42' }] },
    ],
  );
});

t.test('Anthropic: system + content blocks; tool_result with is_error', async (t) => {
  t.same(
    toChatMessages({
      system: [{ type: 'text', text: 'sys' }],
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', is_error: true, content: [{ type: 'text', text: 'ENOENT' }] }] }],
    }),
    [
      { role: 'system', parts: [{ type: 'text', text: 'sys' }] },
      { role: 'user', parts: [{ type: 'tool_result', id: 't1', content: 'ENOENT', isError: true }] },
    ],
  );
});

t.test('AI SDK parts and Gemini contents', async (t) => {
  t.same(toChatMessages([{ role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'a', toolName: 'g', input: { q: 1 } }] }, { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'a', toolName: 'g', output: { type: 'json', value: { r: 2 } } }] }]), [
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'a', name: 'g', arguments: '{"q":1}' }] },
    { role: 'tool', parts: [{ type: 'tool_result', id: 'a', content: '{"r":2}', name: 'g' }] },
  ]);
  t.same(toChatMessages({ contents: [{ role: 'model', parts: [{ text: 'hmm', thought: true }, { functionCall: { name: 'ls', args: {} } }] }] }), [
    { role: 'assistant', parts: [{ type: 'reasoning', text: 'hmm' }, { type: 'tool_call', id: '', name: 'ls', arguments: '{}' }] },
  ]);
});

t.test('plain strings and unknown objects degrade to text', async (t) => {
  t.same(toChatMessages('just text'), [{ role: 'user', parts: [{ type: 'text', text: 'just text' }] }]);
  t.same(toChatMessages({ question: 'q' }, { defaultRole: 'assistant' }), [{ role: 'assistant', parts: [{ type: 'text', text: '{"question":"q"}' }] }]);
  t.same(toChatMessages(undefined), []);
  t.same(systemMessages('be nice'), [{ role: 'system', parts: [{ type: 'text', text: 'be nice' }] }]);
});

t.test('tool definitions in every shape', async (t) => {
  t.same(
    toToolDefinitions([
      { type: 'function', function: { name: 'a', description: 'A', parameters: { type: 'object' } } },
      '{"type":"function","name":"b","inputSchema":{"type":"object"}}',
      { name: 'c', input_schema: {} },
      { functionDeclarations: [{ name: 'd' }] },
      { nope: true },
    ]),
    [{ name: 'a', description: 'A', parameters: { type: 'object' } }, { name: 'b', parameters: { type: 'object' } }, { name: 'c', parameters: {} }, { name: 'd' }],
  );
});

t.test("Gemini functionResponse: `error` marks a failed call, `output` or any other object does not", async (t) => {
  const parts = toChatMessages([
    {
      role: 'user',
      parts: [
        { functionResponse: { name: 'a', response: { error: 'boom' } } },
        { functionResponse: { name: 'b', response: { output: 'fine', error: '' } } },
        { functionResponse: { name: 'c', response: { result: 'ok' } } },
        { functionResponse: { name: 'd', response: { error: null } } },
      ],
    },
  ])[0].parts;
  t.same(
    parts.map((p) => [p.type === 'tool_result' ? p.name : '', p.type === 'tool_result' && p.isError === true]),
    [
      ['a', true],
      ['b', false],
      ['c', false],
      ['d', false],
    ],
  );
});
