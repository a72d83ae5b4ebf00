// The registry, the docs and the cost guarantees stay in step with the code.
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { DETECTORS, detectRun, detectSpan, listDetectors } from '../../src/analysis/detect.js';
import { FAILURE_MODES } from '../../src/model/failure.js';
import { type Operation, emptyOperation } from '../../src/model/operation.js';

const root = new URL('../../', import.meta.url);

t.test('one detector per failure mode, each in its own file', async (t) => {
  t.same(DETECTORS.map((d) => d.mode).sort(), [...FAILURE_MODES].sort());
  for (const d of DETECTORS) {
    t.equal(d.id, d.mode.replaceAll('_', '-'), `${d.mode}: id is the kebab-case mode`);
    t.ok(existsSync(new URL(`src/analysis/detectors/${d.id}.ts`, root)), `${d.id}.ts exists`);
    t.ok(d.description.length > 20 && d.signal.length > 20, `${d.id} describes itself`);
  }
});

t.test('listDetectors is plain data for the API', async (t) => {
  const list = listDetectors();
  t.same(JSON.parse(JSON.stringify(list)), list);
  t.same(Object.keys(list[0]).sort(), ['description', 'id', 'mode', 'scope', 'severity', 'signal']);
});

t.test('docs/failure-modes.md has a section per mode with the registry severity and scope', async (t) => {
  const doc = readFileSync(new URL('docs/failure-modes.md', root), 'utf8');
  const sections = [...doc.matchAll(/^## `([a-z_]+)`$/gm)].map((m) => m[1]);
  t.same([...sections].sort(), [...FAILURE_MODES].sort(), 'sections both ways');
  for (const d of DETECTORS) {
    const body = doc.split(/^## /m).find((s) => s.startsWith('`' + d.mode + '`')) ?? '';
    t.match(body, new RegExp(`\\*\\*Severity:\\*\\* ${d.severity}\\b`), `${d.mode} severity`);
    t.match(body, new RegExp(`\\*\\*Scope:\\*\\* ${d.scope}\\b`), `${d.mode} scope`);
    t.match(body, /\*\*Does not catch:\*\*/, `${d.mode} limits`);
  }
});

t.test('an empty operation of any kind has no failures', async (t) => {
  const kinds: Operation['kind'][] = ['agent', 'subagent', 'llm', 'tool', 'compaction', 'handoff', 'retrieval', 'guardrail', 'other'];
  for (const kind of kinds) {
    const o = emptyOperation({ kind, dialect: 'x' });
    t.same(detectSpan(o).map((f) => f.mode), kind === 'compaction' ? ['compaction'] : [], kind);
    t.same(detectRun([o]), [], `${kind} run`);
  }
});

t.test('hostile inputs cost bounded time', async (t) => {
  const big = 'x<{"name" \u0000'.repeat(200_000); // 2.2 MB of near-markers
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const tools = [{ name: 'f', parameters: { type: 'object', properties: { a: { type: 'array', items: { type: 'array' } } } } }];
  const ops: Operation[] = [
    emptyOperation({ kind: 'llm', dialect: 'x', finishReason: 'length', outputMessages: [{ role: 'assistant', parts: Array.from({ length: 1000 }, () => ({ type: 'text' as const, text: big.slice(0, 5000) })) }] }),
    emptyOperation({ kind: 'llm', dialect: 'x', outputMessages: [{ role: 'assistant', parts: [{ type: 'text', text: big }] }] }),
    emptyOperation({ kind: 'llm', dialect: 'x', tools, outputMessages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: '1', name: 'f', arguments: `{"a":${'[1],'.repeat(50_000)}[1]]}` }, { type: 'tool_call', id: '2', name: 'f', arguments: deep }] }] }),
    emptyOperation({ kind: 'tool', dialect: 'x', status: 'error', errorMessage: big, toolResult: big, toolName: 'f' }),
  ];
  const start = performance.now();
  const found = ops.flatMap(detectSpan);
  const run = detectRun(ops.map((o, i) => ({ ...o, traceId: 't', spanId: String(i) })));
  const ms = performance.now() - start;
  t.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  for (const f of [...found, ...run]) t.ok(f.evidence.length <= 300, `${f.mode} evidence is short`);
});
