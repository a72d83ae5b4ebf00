// merge.ts rules the coding-agent CLIs need: a log emitted in a span of another kind completes that span's
// child (Gemini CLI schedule_tool_calls -> tool_call), and traceless log operations join their conversation's
// trace of that moment (Codex response events, the Gemini CLI user prompt). base.ts: Codex's event_name field.
import t from 'tap';
import { emptyOperation, type Operation } from '../../src/model/operation.js';
import { logEventName } from '../../src/normalize/base.js';
import { mergeOperations } from '../../src/normalize/index.js';
import { makeLogs } from './helpers.js';

const at = (ms: number) => String(1_760_000_000_000_000_000n + BigInt(ms) * 1_000_000n);
function o(init: Partial<Operation> & Pick<Operation, 'kind'>): Operation {
  return emptyOperation({ dialect: 'test', sessionId: 'c1', agentId: 'c1', ...init });
}

t.test('a tool event emitted in the batch span completes the nearest unmatched tool child', async (t) => {
  const batch = o({ kind: 'other', traceId: 'T', spanId: 'batch', startTimeUnixNano: at(0), endTimeUnixNano: at(1000) });
  const a = o({ kind: 'tool', traceId: 'T', spanId: 'a', parentSpanId: 'batch', toolName: 'shell', toolCallId: 'id-a', startTimeUnixNano: at(0), endTimeUnixNano: at(100) });
  const b = o({ kind: 'tool', traceId: 'T', spanId: 'b', parentSpanId: 'batch', toolName: 'shell', toolCallId: 'id-b', startTimeUnixNano: at(0), endTimeUnixNano: at(600) });
  const logB = o({ kind: 'tool', source: 'log', traceId: 'T', spanId: 'lb', parentSpanId: 'batch', toolName: 'shell', toolArguments: '{"cmd":"b"}', endTimeUnixNano: at(601) });
  const logA = o({ kind: 'tool', source: 'log', traceId: 'T', spanId: 'la', parentSpanId: 'batch', toolName: 'shell', toolArguments: '{"cmd":"a"}', endTimeUnixNano: at(101) });
  const out = mergeOperations([batch, a, b], [logB, logA]);
  t.same(out.map((x) => [x.spanId, x.source, x.toolArguments]), [
    ['batch', 'span', ''],
    ['a', 'span+log', '{"cmd":"a"}'],
    ['b', 'span+log', '{"cmd":"b"}'],
  ]);
  const other = o({ kind: 'tool', source: 'log', traceId: 'T', spanId: 'lc', parentSpanId: 'batch', toolName: 'read', toolArguments: '{}', endTimeUnixNano: at(50) });
  const kept = mergeOperations([batch, { ...a, source: 'span' }], [other]);
  t.equal(kept.length, 3, 'another tool name is not that child');
});

t.test('traceless log operations join the trace of their conversation that was running', async (t) => {
  const t1 = o({ kind: 'llm', traceId: 'T1', spanId: 's1', startTimeUnixNano: at(100), endTimeUnixNano: at(200) });
  const t2 = o({ kind: 'tool', traceId: 'T2', spanId: 's2', startTimeUnixNano: at(300), endTimeUnixNano: at(400) });
  const early = o({ kind: 'agent', source: 'log', spanId: 'l0', startTimeUnixNano: at(50), endTimeUnixNano: at(50) });
  const mid = o({ kind: 'llm', source: 'log', spanId: 'l1', requestModel: 'm', startTimeUnixNano: at(350), endTimeUnixNano: at(350) });
  const foreign = o({ kind: 'llm', source: 'log', spanId: 'l2', sessionId: 'c2', startTimeUnixNano: at(350), endTimeUnixNano: at(350) });
  const out = mergeOperations([t1, t2], [early, mid, foreign]);
  const trace = (id: string) => out.find((x) => x.spanId === id)?.traceId;
  t.same([trace('l0'), trace('l1'), trace('l2')], ['T1', 'T2', ''], 'before any trace: the first; later: the latest started; another conversation: untouched');
});

t.test('event name: the field unless it is not one token', async (t) => {
  const [codex, plain, attrOnly] = makeLogs([
    { attrs: { 'event.name': 'codex.tool_result' } },
    { attrs: { 'event.name': 'x.attr' } },
    { attrs: { 'event.name': 'gemini_cli.tool_call' } },
  ]);
  codex.eventName = 'event otel/src/tool_result.rs:54';
  plain.eventName = 'x.field';
  attrOnly.eventName = '';
  t.same([logEventName(codex), logEventName(plain), logEventName(attrOnly)], ['codex.tool_result', 'x.field', 'gemini_cli.tool_call']);
});
