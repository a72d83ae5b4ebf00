// The pure parts of incremental settling (src/analysis/tail.ts): the tail kept per conversation, and which
// traces a rebuild reads.
import t from 'tap';
import { groupsOf } from '../../src/settle/groups.js';
import { type ConversationTail, TAIL_SLACK_MS, failureSignature, fitsTail, nextTail, parseTail, planIncrement, traceRanges } from '../../src/analysis/tail.js';

const trace = (id: string, start: number, end = start + 1000) => ({ id, start, end });

t.test('nextTail keeps the most recent traces in start order and says when older ones were cut', async (t) => {
  const ranges = new Map([
    ['c', { start: 300, end: 400 }],
    ['a', { start: 100, end: 150 }],
    ['b', { start: 200, end: 250 }],
  ]);
  t.same(nextTail(undefined, ranges, 5), { traces: [trace('a', 100, 150), trace('b', 200, 250), trace('c', 300, 400)], truncated: false });
  const cut = nextTail(undefined, ranges, 2);
  t.same(cut, { traces: [trace('b', 200, 250), trace('c', 300, 400)], truncated: true });
  // A trace seen again takes its new range; a new one is added; still at most two.
  const next = nextTail(cut, new Map([['d', { start: 500, end: 600 }]]), 2);
  t.same(next, { traces: [trace('c', 300, 400), trace('d', 500, 600)], truncated: true });
  t.same(parseTail(JSON.stringify(next)), next, 'it round-trips through its stored text');
  t.equal(parseTail('not json'), undefined);
});

t.test('planIncrement: the traces that received data, the tail traces its trace-less log events fall in, the rest as context', async (t) => {
  const tail: ConversationTail = { traces: [trace('a', 0, 10_000), trace('b', 500_000, 510_000), trace('c', 1_000_000, 1_010_000)], truncated: false };
  t.same(planIncrement(tail, ['d'], undefined), { rebuild: ['d'], context: ['a', 'b', 'c'] });
  t.same(planIncrement(tail, ['c'], undefined), { rebuild: ['c'], context: ['a', 'b'] });
  // A log event at 505 s belongs with b; one within the slack after a's end also with a.
  t.same(planIncrement(tail, [], { lo: 505_000, hi: 505_000 }), { rebuild: ['b'], context: ['a', 'c'] });
  t.same(planIncrement(tail, [], { lo: 10_000 + TAIL_SLACK_MS, hi: 10_000 + TAIL_SLACK_MS }).rebuild, ['a']);
});

t.test('fitsTail: a rebuilt trace older than a cut tail needs a whole rebuild', async (t) => {
  const tail: ConversationTail = { traces: [trace('b', 1000), trace('c', 2000)], truncated: true };
  t.ok(fitsTail(tail, new Map([['d', { start: 3000, end: 3100 }]])), 'a new trace after the tail');
  t.ok(fitsTail(tail, new Map([['b', { start: 900, end: 3100 }]])), 'a tail trace that grew');
  t.notOk(fitsTail(tail, new Map([['x', { start: 10, end: 20 }]])), 'an old trace the tail no longer holds');
  t.ok(fitsTail({ ...tail, truncated: false }, new Map([['x', { start: 10, end: 20 }]])), 'unless the tail holds the whole conversation');
});

t.test('traceRanges and failureSignature', async (t) => {
  const r = traceRanges(
    [
      { trace_id: 't1', start_ns: '5000000', end_ns: '9000000' },
      { trace_id: 't1', start_ns: '2000000', end_ns: '3000000' },
    ],
    [
      { trace_id: 't1', time_ns: '12000000', observed_ns: '0' },
      { trace_id: '', time_ns: '1000000', observed_ns: '0' },
      { trace_id: 't2', time_ns: '0', observed_ns: '7000000' },
    ],
  );
  t.same(Object.fromEntries(r), { t1: { start: 2, end: 12 }, t2: { start: 7, end: 7 } }, 'ms ranges; events without a trace id left out; observed time when time is unset');
  const f = { mode: 'tool_error', severity: 'high', evidence: 'exit 1' };
  t.equal(failureSignature([f]), failureSignature([{ ...f }]));
  t.not(failureSignature([f]), failureSignature([{ ...f, severity: 'medium' }]));
  t.not(failureSignature([f]), failureSignature([]));
});

t.test('groupsOf: each group a request touched, with its traces and the time range of its trace-less log events', async (t) => {
  const attrs = (session?: string) => ({ values: session ? { 'session.id': session } : {}, types: {} }) as never;
  const touches = groupsOf([
    { traceId: 'a1', attributes: attrs('s1') },
    { traceId: 'a1', attributes: attrs('s1') },
    { traceId: 'a2', attributes: attrs('s1') },
    { traceId: 'b1', attributes: attrs() },
    { traceId: '', attributes: attrs('s1'), timeUnixNano: '5000000000', observedTimeUnixNano: '0' },
    { traceId: '', attributes: attrs('s1'), timeUnixNano: '0', observedTimeUnixNano: '2000000000' },
    { traceId: '', attributes: attrs('s1'), timeUnixNano: '0', observedTimeUnixNano: '0' },
    { traceId: '', attributes: attrs() },
  ]);
  t.same(touches, [
    { key: 's:s1', traces: ['a1', 'a2'], logs: { lo: 2000, hi: 5000 } },
    { key: 't:b1', traces: ['b1'], logs: undefined },
  ]);
});
