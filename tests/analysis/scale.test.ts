// No quadratic step (issue 15): the batch-wide steps of normalization and the run-level scan over a group of
// 100k operations do work linear (or n log n) in its operations, counted in steps rather than timed; and
// their fast forms answer exactly as the pairwise forms did (tests/helpers/pairwise.ts) on random input.
import t from 'tap';
import { detectRun } from '../../src/analysis/detect.js';
import { compactionScanWork, firstLoss } from '../../src/analysis/detectors/compaction-scan.js';
import { type AgentRun, compareOps } from '../../src/analysis/detectors/run.js';
import { type Operation, emptyOperation } from '../../src/model/operation.js';
import { markPartial } from '../../src/normalize/base.js';
import { coalesce } from '../../src/normalize/combine.js';
import { linkAgents, mergeOperations } from '../../src/normalize/index.js';
import { matchSpawnCalls } from '../../src/normalize/spawn-match.js';
import { normalizeWork } from '../../src/normalize/work.js';
import { pairwiseFirstLoss, pairwiseSpawnMatch } from '../helpers/pairwise.js';

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SEC = 1_000_000_000n;
const T0 = 1_767_225_600n * SEC; // 2026-01-01
const at = (seconds: number) => String(T0 + BigInt(Math.round(seconds * 1000)) * 1_000_000n);
const N = 100_000;

t.test('spawn-call matching: the same choices as the pairwise scan, on random sessions', async (t) => {
  const types = ['Explore', 'general-purpose', 'Plan'];
  for (let seed = 1; seed <= 2000; seed++) {
    const r = rng(seed);
    const pickOf = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    const ops: Operation[] = [];
    const n = 5 + Math.floor(r() * 40);
    for (let i = 0; i < n; i++) {
      const session = pickOf(['S1', 'S2', '']);
      const trace = pickOf(['T1', 'T2']);
      const start = r() < 0.1 ? '0' : at(Math.floor(r() * 20) / 2);
      if (r() < 0.35) {
        ops.push(
          emptyOperation({
            kind: 'subagent',
            dialect: 'x',
            source: 'log',
            traceId: trace,
            spanId: `sub${i}`,
            sessionId: session,
            agentId: pickOf(['a1', 'a2', 'a3', 'a4']),
            parentAgentId: pickOf(['main', 'a1', '']),
            agentName: r() < 0.7 ? pickOf(types) : '',
            toolCallId: r() < 0.2 ? pickOf(['c1', 'c2', 'c3']) : '',
            startTimeUnixNano: start,
          }),
        );
      } else {
        const type = pickOf(types);
        ops.push(
          emptyOperation({
            kind: r() < 0.9 ? 'tool' : 'llm',
            dialect: 'x',
            source: 'log',
            traceId: trace,
            spanId: `t${i}`,
            sessionId: session,
            agentId: pickOf(['main', 'a1', '']),
            toolName: pickOf(['Task', 'Agent', 'Bash']),
            toolCallId: pickOf(['c1', 'c2', 'c3', `c${i + 10}`]),
            toolArguments: r() < 0.8 ? JSON.stringify({ subagent_type: type, prompt: 'p' }) : `{"description":"${type}"}`,
            startTimeUnixNano: start,
          }),
        );
      }
    }
    const a = structuredClone(ops);
    const b = structuredClone(ops);
    matchSpawnCalls(a);
    pairwiseSpawnMatch(b);
    const view = (xs: Operation[]) => xs.map((o) => `${o.spanId}:${o.toolCallId}:${o.toolName}:${o.parentSpanId}`);
    if (JSON.stringify(view(a)) !== JSON.stringify(view(b))) {
      t.same(view(a), view(b), `seed ${seed}`);
      return;
    }
  }
  t.pass('2000 random sessions matched the same way');
});

t.test('task lost after compaction: the same finding as the pairwise scan, on random runs', async (t) => {
  let found = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const r = rng(seed);
    const pickOf = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    const ops: Operation[] = [];
    const n = 3 + Math.floor(r() * 30);
    for (let i = 0; i < n; i++) {
      const s = Math.floor(r() * 40);
      const base = { dialect: 'x', traceId: 'tr', spanId: `o${i}`, startTimeUnixNano: at(s), endTimeUnixNano: at(s + (r() < 0.3 ? 0 : Math.floor(r() * 3))) };
      const x = r();
      if (x < 0.12) ops.push(emptyOperation({ ...base, kind: 'compaction' }));
      else if (x < 0.16) ops.push(emptyOperation({ ...base, kind: 'llm', compaction: { trigger: 'auto', tokensBefore: 10, tokensAfter: 2, estimated: false } }));
      else if (x < 0.5) ops.push(emptyOperation({ ...base, kind: 'tool', toolName: pickOf(['Read', 'Bash']), toolArguments: r() < 0.85 ? `{"p":${Math.floor(r() * 4)}}` : '' }));
      else {
        const parts = [];
        if (r() < 0.5) parts.push({ type: 'tool_call' as const, id: pickOf(['', 'i1', 'i2', `i${i + 5}`]), name: 'Read', arguments: `{"p":${Math.floor(r() * 4)}}` });
        if (r() < 0.6) parts.push({ type: 'text' as const, text: r() < 0.5 ? 'ok' : 'a long answer that goes well past the short limit' });
        ops.push(emptyOperation({ ...base, kind: 'llm', status: r() < 0.1 ? 'error' : 'ok', outputMessages: [{ role: 'assistant', parts }] }));
      }
    }
    const run: AgentRun = { key: 'a:x', ops: ops.sort(compareOps), agentOp: null, subagent: false };
    const fast = firstLoss(run);
    const slow = pairwiseFirstLoss(run);
    const show = (f: { op: Operation; redo: boolean } | null) => (f ? `${f.op.spanId}/${f.redo ? 'redo' : 'answer'}` : 'none');
    if (slow) found++;
    if (show(fast && { op: fast.op, redo: fast.evidence.includes('called again') }) !== show(slow)) {
      t.equal(show(fast && { op: fast.op, redo: fast.evidence.includes('called again') }), show(slow), `seed ${seed}`);
      if (process.env.DEBUG_SCALE) console.error(JSON.stringify(run.ops.map((o) => [o.spanId, o.kind, o.startTimeUnixNano.slice(-11, -6), o.endTimeUnixNano.slice(-11, -6), o.toolName, o.toolArguments, JSON.stringify(o.outputMessages), !!o.compaction])));
      return;
    }
  }
  t.ok(found > 50, `3000 random runs gave the same findings (${found} losses found)`);
});

/** One log-only, Claude-Code-shaped conversation: a main agent spawning 1,000 subagents, compacting 200 times. */
function longSession(): Operation[] {
  const ops: Operation[] = [];
  const base = (i: number, s: number) => ({ dialect: 'x', source: 'log' as const, traceId: '', spanId: `op${i}`, sessionId: 'S', startTimeUnixNano: at(s), endTimeUnixNano: at(s + 0.5) });
  let i = 0;
  let clock = 0;
  const subagents = 1000;
  const perSub = 40;
  for (let k = 0; k < subagents; k++) {
    // Main agent: a model call, then the spawn call.
    ops.push(emptyOperation({ ...base(i++, (clock += 1)), kind: 'llm', agentId: 'main', requestModel: 'm' }));
    ops.push(emptyOperation({ ...base(i++, (clock += 1)), kind: 'tool', agentId: 'main', toolName: 'Task', toolCallId: `task${k}`, toolArguments: JSON.stringify({ subagent_type: `type${k % 5}`, prompt: `job ${k}` }) }));
    const subStart = clock + 0.5;
    ops.push(emptyOperation({ ...base(i++, subStart), kind: 'subagent', agentId: `sub${k}`, parentAgentId: 'main', agentName: `type${k % 5}` }));
    for (let j = 0; j < perSub; j++) {
      const kind = j % 2 ? 'tool' : 'llm';
      ops.push(emptyOperation({ ...base(i++, (clock += 1)), kind, agentId: `sub${k}`, parentAgentId: 'main', toolName: kind === 'tool' ? 'Read' : '', toolArguments: kind === 'tool' ? `{"file":"${k}/${j}"}` : '' }));
    }
    if (k % 5 === 4) ops.push(emptyOperation({ ...base(i++, (clock += 1)), kind: 'compaction', agentId: 'main' }));
  }
  while (ops.length < N) ops.push(emptyOperation({ ...base(i++, (clock += 1)), kind: 'tool', agentId: 'main', toolName: 'Bash', toolArguments: `{"cmd":"${i}"}` }));
  return ops;
}

t.test('a conversation of 100k operations: linking and run detection in linear / n log n steps', async (t) => {
  const ops = longSession();
  t.equal(ops.length, N);
  normalizeWork.steps = 0;
  const linked = linkAgents(ops);
  t.ok(normalizeWork.steps < 4 * N, `linking: ${normalizeWork.steps} steps for ${N} operations (the pairwise form: over 10^8)`);
  const subs = linked.filter((o) => o.kind === 'subagent');
  t.equal(subs.length, 1000);
  t.ok(
    subs.every((s, k) => s.toolCallId === `task${k}`),
    'every subagent got the spawn call just before it',
  );

  compactionScanWork.steps = 0;
  const failures = detectRun(linked);
  const log2 = Math.ceil(Math.log2(N));
  t.ok(compactionScanWork.steps < 8 * N * log2, `compaction scan: ${compactionScanWork.steps} steps (n log n bound ${8 * N * log2}; pairwise: 200 x 100k)`);
  t.equal(failures.filter((f) => f.mode === 'task_lost_after_compaction').length, 0, 'no loss in a session that never repeats itself');
});

t.test('merging 50k log events into 50k spans by time alone, and 50k partial records by nearest end: linear steps', async (t) => {
  const n = 50_000;
  const spans: Operation[] = [];
  const logs: Operation[] = [];
  for (let i = 0; i < n; i++) {
    spans.push(emptyOperation({ kind: 'tool', dialect: 'x', source: 'span', traceId: 'T', spanId: `s${i}`, sessionId: 'S', toolName: 'Bash', startTimeUnixNano: at(i * 10), endTimeUnixNano: at(i * 10 + 1) }));
    logs.push(emptyOperation({ kind: 'tool', dialect: 'x', source: 'log', traceId: '', spanId: `l${i}`, sessionId: 'S', toolName: 'Bash', toolResult: `r${i}`, startTimeUnixNano: at(i * 10 + 1), endTimeUnixNano: at(i * 10 + 1) }));
  }
  normalizeWork.steps = 0;
  const merged = mergeOperations(spans, logs);
  t.equal(merged.length, n, 'every event merged into its span');
  t.ok(merged.every((o, i) => o.toolResult === `r${i}`), 'each into the one whose time range holds it');
  t.ok(normalizeWork.steps < 10 * n, `${normalizeWork.steps} steps`);

  const calls: Operation[] = [];
  for (let i = 0; i < n; i++) {
    calls.push(emptyOperation({ kind: 'llm', dialect: 'x', source: 'log', traceId: '', spanId: `c${i}`, sessionId: 'S', requestId: `r${i}`, startTimeUnixNano: at(i * 10), endTimeUnixNano: at(i * 10 + 1) }));
  }
  for (let i = 0; i < n; i++) {
    const p = emptyOperation({ kind: 'llm', dialect: 'x', source: 'log', traceId: '', spanId: `p${i}`, sessionId: 'S', finishReason: `f${i}`, startTimeUnixNano: at(i * 10 + 1), endTimeUnixNano: at(i * 10 + 1.2) });
    calls.push(markPartial(p, { by: 'nearest' }));
  }
  normalizeWork.steps = 0;
  const folded = coalesce(calls);
  t.equal(folded.length, n, 'every partial record folded into a call');
  t.ok(folded.every((o, i) => o.finishReason === `f${i}`), 'each into the call that ended nearest');
  t.ok(normalizeWork.steps < 10 * n, `${normalizeWork.steps} steps`);
});
