// Run-level detection across the traces of one conversation (detectors/run.ts buildRunViews): traces without
// an agent span of their own are fragments of one run; a trace with its own agent span is a run of its own.
import t from 'tap';
import { detectRun } from '../../src/analysis/detect.js';
import { answer, op, tool } from './ops.js';

const S = { sessionId: 'conv-1', agentId: 'conv-1' };

t.test('fragments: a call repeated in another trace of the conversation is a repeat', async (t) => {
  // Gemini CLI's shape: each tool batch and each model call in its own trace, no agent span anywhere.
  const ops = [
    tool('shell', '{"command":"echo ok"}', { ...S, traceId: 'ta' }),
    answer('next', { ...S, traceId: 'tb' }),
    tool('shell', '{ "command": "echo ok" }', { ...S, traceId: 'tc' }),
    tool('shell', '{"command":"echo ok"}', { ...S, traceId: 'td' }),
    answer('done', { ...S, traceId: 'te' }),
  ];
  const found = detectRun(ops);
  t.same(found.map((f) => [f.mode, f.spanId, f.traceId]), [['repeated_tool_call', ops[2].spanId, 'tc']], 'one finding, on the first repeat, in its own trace');
  t.match(found[0].evidence, /called 3 times/);
  t.same(detectRun([...ops].reverse()), found, 'order does not matter');
});

t.test('a log-only agent record does not make a trace a run of its own', async (t) => {
  const ops = [
    op({ kind: 'agent', source: 'log', ...S, traceId: 'ta' }),
    tool('shell', '{"command":"ls"}', { ...S, traceId: 'ta' }),
    tool('shell', '{"command":"ls"}', { ...S, traceId: 'tb' }),
  ];
  t.same(detectRun(ops).map((f) => f.mode), ['repeated_tool_call']);
});

t.test('turns with their own agent span stay apart: the same command in two turns is no loop', async (t) => {
  const turn = (traceId: string) => [
    op({ kind: 'agent', ...S, traceId, spanId: `${traceId}-agent` }),
    tool('Bash', '{"command":"git status"}', { ...S, traceId, parentSpanId: `${traceId}-agent` }),
    answer('clean', { ...S, traceId, parentSpanId: `${traceId}-agent` }),
  ];
  t.same(detectRun([...turn('t1'), ...turn('t2')]), []);
});

t.test('traces of different conversations are never joined', async (t) => {
  const ops = [tool('shell', '{"command":"ls"}', { sessionId: 'a', traceId: 'ta' }), tool('shell', '{"command":"ls"}', { sessionId: 'b', traceId: 'tb' })];
  t.same(detectRun(ops), []);
  const noSession = [tool('shell', '{"command":"ls"}', { traceId: 'ta' }), tool('shell', '{"command":"ls"}', { traceId: 'tb' })];
  t.same(detectRun(noSession), [], 'nor traces that name no conversation');
});
