// The real Claude Code 2.1.328 captures (shared/fixtures/claude-code): what the README says a collector must
// find, from spans alone, from logs alone, and from both merged without counting anything twice.
import t from 'tap';
import { mergeOperations, normalizeLogs, normalizeSpans } from '../../src/normalize/index.js';
import type { Operation } from '../../src/model/operation.js';
import { claudeCodeFixture } from './helpers.js';

type Mode = 'spans' | 'logs' | 'both';
const MODES: Mode[] = ['spans', 'logs', 'both'];

function run(dir: 'tools' | 'subagent' | 'compaction', mode: Mode): Operation[] {
  const f = claudeCodeFixture(dir);
  if (mode === 'spans') return normalizeSpans(f.spans);
  if (mode === 'logs') return normalizeLogs(f.logs);
  return mergeOperations(normalizeSpans(f.spans), normalizeLogs(f.logs));
}

const of = (ops: Operation[], kind: Operation['kind']) => ops.filter((o) => o.kind === kind);
const expectedSource = (mode: Mode) => (mode === 'both' ? 'span+log' : mode === 'spans' ? 'span' : 'log');

for (const mode of MODES) {
  t.test(`tools/ from ${mode}`, async (t) => {
    const ops = run('tools', mode);
    const tools = of(ops, 'tool');
    t.equal(tools.length, 3, 'three tool calls');
    t.same(
      tools.map((o) => [o.toolName, o.toolCallId, o.status]),
      [
        ['Bash', 'toolu_1', 'ok'],
        ['Read', 'toolu_2', 'error'],
        ['Bash', 'toolu_3', 'ok'],
      ],
    );
    const read = tools[1];
    t.match(read.errorMessage, /^File does not exist\./, 'the failing Read carries its message');
    t.equal(read.errorType, 'TelemetrySafeError');
    t.match(JSON.parse(read.toolArguments), { file_path: '/nonexistent/notes.txt' });
    t.equal(tools[0].toolArguments === tools[2].toolArguments, true, 'the repeated call has identical arguments');

    const llm = of(ops, 'llm');
    t.equal(llm.length, 4, 'four LLM calls');
    t.same(
      llm.map((o) => o.requestId),
      ['req_1', 'req_2', 'req_3', 'req_4'],
    );
    for (const [i, o] of llm.entries()) {
      t.equal(o.requestModel, 'claude-opus-5-5');
      t.equal(o.provider, 'anthropic');
      // Anthropic's raw input excludes the cache; the model's input includes reads and writes.
      t.equal(o.inputTokens, 1201 + i + 800, `input tokens of req_${i + 1}`);
      t.equal(o.cacheReadTokens, 800);
      t.equal(o.cacheWriteTokens, 0);
      t.equal(o.outputTokens, 40);
      t.equal(o.sessionId, '4f8d5398-7659-4675-8e48-664727fc05f4');
      t.equal(o.agentName, 'claude-code');
      t.equal(o.depth, 0);
      t.equal(o.source, expectedSource(mode));
      // Claude Code puts cost only on api_request events (and the cost metric), never on spans.
      if (mode === 'spans') t.equal(o.costUsd, null);
      else t.ok(o.costUsd !== null && o.costUsd > 0.0057 && o.costUsd < 0.0058, `cost of req_${i + 1}`);
    }
    if (mode !== 'logs') t.same(llm.map((o) => o.finishReason), ['tool_call', 'tool_call', 'tool_call', 'stop']);
    if (mode !== 'spans') t.same(llm[3].outputMessages, [{ role: 'assistant', parts: [{ type: 'text', text: 'Done: I ran the commands.' }] }]);
    t.equal(of(ops, 'agent').length, 1, 'one turn of the main agent');
    t.equal(of(ops, 'subagent').length, 0);
    t.equal(of(ops, 'compaction').length, 0);
    t.equal(new Set(ops.map((o) => o.traceId + o.spanId + o.kind)).size, ops.length, 'no duplicate identities');
  });

  t.test(`subagent/ from ${mode}`, async (t) => {
    const ops = run('subagent', mode);
    const subs = of(ops, 'subagent');
    t.equal(subs.length, 1, 'one subagent');
    const sub = subs[0];
    t.equal(sub.agentId, 'a04dc7515144ea668');
    t.equal(sub.agentName, 'general-purpose');
    t.equal(sub.parentAgentId, '56306e88-6b3c-4054-999d-0867edc2b803', 'linked to the main agent (its id is the session id)');
    t.equal(sub.depth, 1);
    t.equal(sub.toolCallId, 'toolu_5', 'spawned by the Agent tool call');
    t.equal(sub.toolName, 'Agent');
    const own = ops.filter((o) => o.agentId === sub.agentId && o !== sub);
    t.same(
      own.filter((o) => o.kind === 'llm').map((o) => o.requestId),
      ['req_7', 'req_9'],
      'its own LLM calls',
    );
    const ownTools = own.filter((o) => o.kind === 'tool');
    t.equal(ownTools.length, 1);
    t.equal(ownTools[0].toolCallId, 'toolu_7');
    t.match(JSON.parse(ownTools[0].toolArguments), { command: 'ls' }, 'its ls tool call');
    for (const o of own) {
      t.equal(o.depth, 1);
      t.equal(o.parentAgentId, sub.parentAgentId);
      t.equal(o.agentName, 'general-purpose');
    }
    const main = ops.filter((o) => o.kind !== 'subagent' && o.agentId === '56306e88-6b3c-4054-999d-0867edc2b803');
    t.same(
      main.filter((o) => o.kind === 'llm').map((o) => o.requestId),
      ['req_5', 'req_6', 'req_8', 'req_10'],
      'the main agent keeps its own calls',
    );
    const bash = main.find((o) => o.kind === 'tool' && o.toolCallId === 'toolu_6');
    t.equal(bash?.status, 'error', 'the failed Bash call of the main agent');
    t.equal(bash?.errorMessage, 'Shell command failed');
    t.equal(of(ops, 'llm').length, 6);
    t.equal(of(ops, 'tool').length, 3);
  });

  t.test(`compaction/ from ${mode}`, async (t) => {
    const ops = run('compaction', mode);
    const comps = of(ops, 'compaction');
    t.equal(comps.length, 1, 'one compaction record');
    const c = comps[0];
    t.equal(c.compaction?.trigger, 'auto');
    t.equal(c.sessionId, '9952bc80-b542-435e-9071-edd40a685762');
    if (mode === 'spans') {
      // No compaction event in spans: the context sizes around the compact request stand in for it.
      t.same(c.compaction, { trigger: 'auto', tokensBefore: 990800, tokensAfter: 2013, estimated: true });
    } else {
      t.same(c.compaction, { trigger: 'auto', tokensBefore: 990841, tokensAfter: 2541, estimated: false });
    }
    t.equal(c.requestId, 'req_12', 'tied to the compact request');
    const llm = of(ops, 'llm');
    t.equal(llm.length, 3, 'the compact request is still one LLM call');
    t.equal(llm[0].inputTokens, 990800);
    t.equal(c.source, expectedSource(mode));
  });
}

t.test('each call counted once: spans, logs and both give the same operations', async (t) => {
  for (const dir of ['tools', 'subagent', 'compaction'] as const) {
    const sig = (ops: Operation[]) => ops.map((o) => `${o.kind}:${o.toolCallId || o.requestId || o.agentId}`).sort();
    const [spans, logs, both] = MODES.map((m) => run(dir, m));
    t.same(sig(both), sig(spans), `${dir}: merged = spans`);
    t.same(sig(both), sig(logs), `${dir}: merged = logs`);
  }
});
