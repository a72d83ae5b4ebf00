// Run-level detectors over hand-made traces: hit and non-hit cases, and order independence.
import t from 'tap';
import { detectRun } from '../../src/analysis/detect.js';
import { compareOps } from '../../src/analysis/detectors/run.js';
import type { Failure } from '../../src/model/failure.js';
import type { Operation } from '../../src/model/operation.js';
import { answer, assistant, call, op, seq, text, tool, matchAll } from './ops.js';

const only = (fs: Failure[], mode: Failure['mode']): Failure[] => fs.filter((f) => f.mode === mode);
const modes = (ops: Operation[]): string[] => detectRun(ops).map((f) => f.mode);
const agent = (init: Partial<Operation> = {}): Operation => op({ kind: 'agent', agentName: 'main', ...init });
const asksTools = (...names: string[]): Operation => op({ kind: 'llm', finishReason: 'tool_calls', outputMessages: assistant(...names.map((n) => call(n, '{}'))) });
const compaction = (): Operation => op({ kind: 'compaction', compaction: { trigger: 'auto', tokensBefore: 990841, tokensAfter: 2541, estimated: false } });

t.test('repeated_tool_call', async (t) => {
  const ops = seq(agent(), asksTools('Bash'), tool('Bash', '{"command":"echo hi","description":"greet"}'), asksTools('Read'), tool('Read', '{"file_path":"/x"}'), asksTools('Bash'), tool('Bash', '{ "description": "greet", "command": "echo hi" }'), answer('Done.'));
  const found = detectRun(ops);
  t.same(found.map((f) => f.mode), ['repeated_tool_call'], 'key order and whitespace do not matter');
  t.match(found[0], { spanId: ops[6].spanId, toolName: 'Bash', severity: 'low', detector: 'run', evidence: 'Bash called 2 times with the same arguments: { "description": "greet", "command": "echo hi" }' });

  const thrice = seq(agent(), tool('Bash', '{"c":1}'), tool('Bash', '{"c":1}'), tool('Bash', '{"c":1}'), tool('Grep', '{"p":"x"}'), tool('Grep', '{"p":"x"}'), answer('ok then'));
  const f3 = only(detectRun(thrice), 'repeated_tool_call');
  t.equal(f3.length, 2, 'one instance per repeated fingerprint, not per repetition');
  t.match(f3[0], { spanId: thrice[2].spanId, severity: 'medium', evidence: /called 3 times/ });
  t.match(f3[1], { toolName: 'Grep', severity: 'low' });

  t.same(modes(seq(agent(), tool('Bash', '{"c":1}'), tool('Bash', '{"c":2}'), answer('fine'))), [], 'different arguments');
  t.same(modes(seq(agent(), tool('A', '{"c":1}'), tool('B', '{"c":1}'), answer('fine'))), [], 'different tools');
  t.same(modes(seq(agent(), tool('Bash', ''), tool('Bash', ''), answer('fine'))), [], 'arguments not captured');
  t.same(modes(seq(agent(), tool('Bash', '{"c":1}', { agentId: 'a1' }), tool('Bash', '{"c":1}', { agentId: 'a2', parentAgentId: 'x' }), answer('fine'))), [], 'different agent runs');

  const requested = seq(agent(), op({ kind: 'llm', finishReason: 'tool_calls', outputMessages: assistant(call('search', '{"q":"x"}', 'c1')) }), op({ kind: 'llm', finishReason: 'tool_calls', outputMessages: assistant(call('search', '{"q": "x"}', 'c2')) }), answer('found'));
  matchAll(t, detectRun(requested), [{ mode: 'repeated_tool_call', spanId: requested[2].spanId, toolName: 'search' }], 'requested calls when no tool operation has arguments');
  const failed = { status: 'error' as const, errorMessage: 'weather service unavailable' };
  t.same(modes(seq(agent(), tool('get_weather', '{"city":"Paris"}', failed), tool('get_weather', '{"city":"Paris"}'), answer('rain'))), [], 'a retry after the call failed is not a repeat');
  const retriedTwice = seq(agent(), tool('get_weather', '{"city":"Paris"}', failed), tool('get_weather', '{"city":"Paris"}', failed), tool('get_weather', '{"city":"Paris"}'), answer('rain'));
  matchAll(t, detectRun(retriedTwice), [{ mode: 'repeated_tool_call', spanId: retriedTwice[3].spanId, severity: 'low', evidence: /called 3 times/ }], 'a retry of a failed retry is a repeat');
  const afterRetry = seq(agent(), tool('get_weather', '{"city":"Paris"}', failed), tool('get_weather', '{"city":"Paris"}'), tool('get_weather', '{"city":"Paris"}'), answer('rain'));
  matchAll(t, detectRun(afterRetry), [{ mode: 'repeated_tool_call', spanId: afterRetry[3].spanId, severity: 'low' }], 'a call after the retry succeeded is a repeat');
  const sameCallTwice = seq(agent(), op({ kind: 'llm', finishReason: 'tool_calls', outputMessages: assistant(call('search', '{"q":"x"}', 'c1')) }), op({ kind: 'llm', finishReason: 'tool_calls', outputMessages: assistant(call('search', '{"q":"x"}', 'c1')) }), answer('found'));
  t.same(modes(sameCallTwice), [], 'one call id seen twice is one call');
});

t.test('subagent_failure', async (t) => {
  const sub = (init: Partial<Operation> = {}): Operation => op({ kind: 'subagent', agentId: 'sub1', agentName: 'researcher', parentAgentId: 'main', depth: 1, ...init });
  const subLlm = (init: Partial<Operation>): Operation => op({ kind: 'llm', agentId: 'sub1', parentAgentId: 'main', depth: 1, ...init });

  const errored = seq(agent({ agentId: 'main' }), sub({ status: 'error', errorType: 'SubagentError', errorMessage: 'crashed' }), answer('done anyway', { agentId: 'main' }));
  matchAll(t, detectRun(errored), [{ mode: 'subagent_failure', severity: 'high', spanId: errored[1].spanId, agentName: 'researcher', evidence: 'subagent researcher: agent ended with an error: SubagentError: crashed' }]);

  const died = seq(agent({ agentId: 'main' }), subLlm({ status: 'error', errorType: '529', errorMessage: 'Overloaded' }), answer('done', { agentId: 'main' }));
  matchAll(t, detectRun(died), [{ mode: 'subagent_failure', spanId: died[1].spanId, evidence: 'last model call failed: 529: Overloaded' }], 'no subagent operation: attached to the failing call');

  const capped = seq(agent({ agentId: 'main' }), sub({ status: 'error', errorType: 'MaxTurnsExceeded', errorMessage: 'Max turns (10) exceeded' }), answer('done', { agentId: 'main' }));
  t.same(modes(capped).sort(), ['max_turns_exhausted', 'subagent_failure']);
  matchAll(t, only(detectRun(capped), 'subagent_failure'), [{ evidence: 'subagent researcher: turn cap: MaxTurnsExceeded: Max turns (10) exceeded' }]);

  const recovered = seq(agent({ agentId: 'main' }), sub(), subLlm({ finishReason: 'tool_calls' }), tool('Bash', '{"c":"false"}', { agentId: 'sub1', status: 'error' }), subLlm({ finishReason: 'stop', outputMessages: assistant(text('report')) }), answer('done', { agentId: 'main' }));
  t.same(modes(recovered), [], 'a tool error the subagent recovered from');
  t.same(modes(seq(agent({ agentId: 'main' }), sub(), subLlm({ finishReason: 'end_turn' }), answer('done', { agentId: 'main' }))), []);
});

t.test('unfinished_run', async (t) => {
  const waiting = seq(agent(), asksTools('Bash'), tool('Bash', '{"c":1}'));
  matchAll(t, detectRun(waiting), [{ mode: 'unfinished_run', severity: 'high', spanId: waiting[1].spanId, evidence: 'last model call asked for tools (Bash) and no later call read their results' }]);
  matchAll(t, detectRun(seq(agent(), op({ kind: 'llm', finishReason: 'tool_use' }))), [{ evidence: 'last model call asked for tools and no later call read their results' }], 'finish reason alone');
  matchAll(t, detectRun(seq(agent(), asksTools('A'), op({ kind: 'llm', status: 'error', errorType: '429' }))), [{ mode: 'unfinished_run', evidence: 'last model call failed: 429' }]);
  const crashed = seq(agent({ status: 'error', errorType: 'KeyError', errorMessage: "'x'" }), answer('hi'));
  matchAll(t, detectRun(crashed), [{ mode: 'unfinished_run', spanId: crashed[0].spanId, evidence: "agent ended with an error: KeyError: 'x'" }]);
  matchAll(t, detectRun(seq(agent(), op({ kind: 'llm', finishReason: 'length', outputMessages: assistant(text('The answer is')) }))), [{ evidence: 'final answer cut off (finish_reason=length): …The answer is' }]);
  matchAll(t, detectRun(seq(agent(), op({ kind: 'llm', finishReason: 'stop', outputMessages: assistant(text(' ')) }))), [{ evidence: 'last model call returned no text' }]);
  matchAll(t, detectRun(seq(agent(), op({ kind: 'llm', finishReason: 'content_filter' }))), [{ evidence: 'last model call was refused: finish_reason=content_filter' }]);

  t.same(modes(seq(agent(), asksTools('Bash'), tool('Bash', '{"c":1}'), answer('Done.'))), []);
  t.same(modes(seq(agent(), op({ kind: 'llm', finishReason: 'end_turn' }))), [], 'Claude Code: answer text not captured, finish reason says it answered');
  t.same(modes(seq(agent(), op({ kind: 'llm' }))), [], 'unknown is not evidence');
  t.same(modes(seq(agent(), tool('Bash', '{"c":1}'))), [], 'no model call at all');
  t.same(modes(seq(agent({ outputMessages: assistant(text('final')) }), asksTools('x'))), [], 'the agent operation reports its own answer');
  const handoff = seq(agent({ agentId: 'triage' }), asksTools('transfer_to_billing'), agent({ agentId: 'billing' }), answer('Refund issued.', { agentId: 'billing' }));
  t.same(modes(handoff), [], 'a handoff: the first agent ends on a call, the last one answers');
  const compactedLast = seq(agent(), answer('real answer'), op({ kind: 'llm', finishReason: 'tool_calls', compaction: { trigger: 'auto', tokensBefore: null, tokensAfter: null, estimated: true } }));
  t.same(only(detectRun(compactedLast), 'unfinished_run'), [], 'compaction summaries are not the answer');
  t.same(modes(seq(agent({ status: 'error', errorType: 'MaxTurnsExceeded' }), asksTools('x'))), ['max_turns_exhausted'], 'max_turns_exhausted explains it');
  t.same(modes(seq(asksTools('get_weather'))), [], 'a trace that is one completed model call is a request, not a run');
  t.same(modes(seq(op({ kind: 'other' }), asksTools('get_weather'))), [], 'also under a span that is not an agent');
  matchAll(t, detectRun(seq(asksTools('a'), tool('a', '{"c":1}'))), [{ mode: 'unfinished_run' }], 'with its tool call it is a run that stopped');
  matchAll(t, detectRun(seq(asksTools('a'), asksTools('b'))), [{ mode: 'unfinished_run' }], 'two calls are a run');
});

t.test('max_turns_exhausted', async (t) => {
  for (const init of [
    { errorType: 'MaxTurnsExceeded', errorMessage: 'Max turns (10) exceeded' },
    { errorType: 'GraphRecursionError', errorMessage: 'Recursion limit of 25 reached without hitting a stop condition.' },
    { errorType: 'AIAgentMaxNumberOfIterationsReachedException' },
    { errorMessage: 'Reached max steps.', status: 'error' as const },
    { finishReason: 'error_max_turns' },
  ]) {
    const found = detectRun(seq(agent(init), asksTools('x')));
    matchAll(t, found, [{ mode: 'max_turns_exhausted', severity: 'high' }], JSON.stringify(init));
  }
  const nested = seq(
    agent({ agentId: 'main', status: 'error', errorType: 'MaxTurnsExceeded', errorMessage: 'Max turns (5) exceeded' }),
    op({ kind: 'subagent', agentId: 's', parentAgentId: 'main', depth: 1, status: 'error', errorType: 'MaxTurnsExceeded', errorMessage: 'Max turns (5) exceeded' }),
  );
  matchAll(t, only(detectRun(nested), 'max_turns_exhausted'), [{ spanId: nested[1].spanId }], 'a re-raised exception is reported once, where it happened');
  t.same(modes(seq(agent(), tool('solver', '{}', { status: 'error', errorMessage: 'max iterations reached' }), answer('gave up on solver'))), [], "a tool's own limit");
  t.same(modes(seq(agent(), answer('I took max steps to be careful.'))), []);
});

t.test('task_lost_after_compaction', async (t) => {
  const lost = seq(agent(), asksTools('Bash'), tool('Bash', '{"command":"echo one"}'), op({ kind: 'llm', finishReason: 'end_turn', outputMessages: assistant(text('<summary>…</summary>')) }), compaction(), answer('ok'));
  const found = detectRun(lost);
  t.same(found.map((f) => f.mode), ['task_lost_after_compaction']);
  t.match(found[0], { spanId: lost[5].spanId, severity: 'medium', evidence: 'after auto compaction (990841 -> 2541 tokens), no further tool call; final answer: "ok"' });

  const redo = seq(agent(), tool('Read', '{"f":"a"}'), compaction(), tool('Read', '{"f":"a"}'), answer('The file says hello, and here is a long summary of it.'));
  matchAll(t, only(detectRun(redo), 'task_lost_after_compaction'), [{ spanId: redo[3].spanId, evidence: 'after auto compaction (990841 -> 2541 tokens), Read was called again with the same arguments: {"f":"a"}' }]);

  t.same(modes(seq(agent(), tool('Bash', '{"c":1}'), compaction(), tool('Bash', '{"c":2}'), answer('ok'))), [], 'kept working after the compaction');
  t.same(modes(seq(agent(), tool('Bash', '{"c":1}'), compaction(), answer('All three steps are done: one, two and three printed.'))), [], 'a real final answer');
  t.same(modes(seq(agent(), compaction(), answer('ok'))), [], 'nothing done before the compaction');
  t.same(modes(seq(agent(), tool('Bash', '{"c":1}'), answer('ok'))), [], 'no compaction');
  t.same(modes(seq(agent(), tool('Bash', '{"c":1}'), compaction(), op({ kind: 'llm', finishReason: 'end_turn' }))), [], 'answer not captured');
});

t.test('detectRun depends only on the set of operations', async (t) => {
  const ops = seq(agent(), tool('Bash', '{"c":1}'), asksTools('Bash'), tool('Bash', '{"c":1}'), compaction(), answer('ok'), op({ kind: 'subagent', agentId: 's', parentAgentId: 'm', status: 'error' }));
  const reference = detectRun(ops);
  t.ok(reference.length >= 3, 'the trace has several findings');
  const shuffled = [...ops].reverse();
  t.same(detectRun(shuffled), reference, 'arrival order');
  t.same(detectRun([...ops, ...ops.slice(0, 3)]), reference, 'redelivered spans');
  t.same(detectRun(ops), reference, 'run again');
  const other = ops.map((o) => ({ ...o, traceId: 't2' }));
  t.same(detectRun([...other, ...ops]).filter((f) => f.traceId === 't1'), reference, 'another trace in the same batch');
  t.same(detectRun([]), []);
  const keys = reference.map((f) => `${f.spanId}/${f.mode}`);
  t.equal(new Set(keys).size, keys.length, 'at most one finding per span and mode');
});

t.test('canonical order on millisecond-equal starts: end time, then parentage', async (t) => {
  const at = (start: number, end: number, init: Partial<Operation> & Pick<Operation, 'kind'>) =>
    op({ startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(start) * 1_000_000n), endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(end) * 1_000_000n), ...init });
  const nextCall = at(10, 60, { kind: 'llm', spanId: '0000000000000001' });
  const tool1 = at(10, 10, { kind: 'tool', spanId: 'ffffffffffffffff', toolName: 'a' });
  t.same([nextCall, tool1].sort(compareOps).map((o) => o.kind), ['tool', 'llm'], 'the call that ended first came first');
  const parent = at(5, 5, { kind: 'other', spanId: 'ffffffffffffffff' });
  const child = at(5, 5, { kind: 'tool', spanId: '0000000000000001', parentSpanId: 'ffffffffffffffff' });
  t.same([child, parent].sort(compareOps).map((o) => o.kind), ['other', 'tool'], 'a parent before its child');
});
