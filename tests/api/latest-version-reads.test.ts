// The dashboard's list reads (GET /api/v1/traces, GET /api/v1/failures, the populations /api/v1/failures/compare
// counts) against an answer worked out here from the raw rows: operations written in a first version, then
// rewritten with a second version (more failures, fewer failures) and tombstones, left unmerged. The
// reference applies ReplacingMergeTree's rule itself (per sorting key the highest version wins, a winning
// tombstone hides the operation), so these reads must give exactly what FINAL means, page by page.
import t from 'tap';
import { operationsSql } from '../../bench/operations-sql.js';
import { type PopulationCounts, countPopulation, countPopulations } from '../../src/store/read/populations.js';
import { startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 3_600_000 });
t.teardown(() => svc.stop());

const now = Date.now();
// 4,000 operations: 200 traces of 20, over the last ~30 minutes, 6% of tool calls failing.
await svc.store.command(operationsSql(4000, now));
const h = 'cityHash64(trace_id) % 6';
// Version 2 of a sixth of the traces: every tool call fails twice (two modes, so a page can end inside an operation).
await svc.store.command(`INSERT INTO operations SELECT * REPLACE (2 AS version, 'error' AS status, ['tool_error', 'repeated_tool_call'] AS failure_modes,
    [tool_name, tool_name] AS failure_tools, ['high', 'medium'] AS failure_severities, ['d1', 'd2'] AS failure_detectors, ['e1', 'e2'] AS failure_evidence)
  FROM operations WHERE kind = 'tool' AND ${h} = 0`);
// Version 2 of another sixth: no failures left.
await svc.store.command(`INSERT INTO operations SELECT * REPLACE (2 AS version, 'ok' AS status, [] AS failure_modes, [] AS failure_tools, [] AS failure_severities,
    [] AS failure_detectors, [] AS failure_evidence) FROM operations WHERE ${h} = 1`);
// Tombstones: the failing operations of a third sixth, and every operation of a fourth (the trace is gone).
await svc.store.command(`INSERT INTO operations SELECT * REPLACE (2 AS version, 1 AS is_deleted) FROM operations WHERE (${h} = 2 AND notEmpty(failure_modes)) OR ${h} = 3`);
// A third version brings one tombstoned trace's agent run back.
await svc.store.command(`INSERT INTO operations SELECT * REPLACE (3 AS version, 0 AS is_deleted) FROM operations
  WHERE kind = 'agent' AND trace_id = (SELECT min(trace_id) FROM operations WHERE ${h} = 3)`);

interface Op {
  key: string;
  trace_id: string;
  span_id: string;
  ns: string;
  end_ns: string;
  kind: string;
  status: string;
  model: string;
  tool_name: string;
  failure_modes: string[];
  failure_tools: string[];
  version: string;
  is_deleted: number;
}
const raw = await svc.rows<Op>(
  `SELECT concat(project_id, '|', toString(day), '|', group_key, '|', trace_id, '|', span_id) AS key, trace_id, span_id,
          toString(toUnixTimestamp64Nano(start_time)) AS ns, toString(toUnixTimestamp64Nano(end_time)) AS end_ns, kind, status,
          if(response_model != '', response_model, request_model) AS model, tool_name, failure_modes, failure_tools, version, is_deleted
     FROM operations`,
);
const latest = new Map<string, Op>();
for (const r of raw) {
  const cur = latest.get(r.key);
  if (!cur || BigInt(r.version) > BigInt(cur.version)) latest.set(r.key, r);
}
const ops = [...latest.values()].filter((r) => Number(r.is_deleted) === 0);
t.ok(raw.length > ops.length + 500, 'the store holds superseded versions and tombstones, unmerged');

const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
const nsDesc = (a: string, b: string) => (BigInt(a) < BigInt(b) ? 1 : BigInt(a) > BigInt(b) ? -1 : 0);
const msOf = (ns: string) => Number(BigInt(ns) / 1_000_000n);

async function get<T>(path: string): Promise<T> {
  const res = await fetch(svc.httpUrl + path);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body}`);
  return JSON.parse(body) as T;
}

/** Every page of a listing, following next_cursor. */
async function allPages<T>(path: string, key: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const body: Record<string, unknown> = await get(`${path}${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...(body[key] as T[]));
    cursor = body.next_cursor as string | null;
    pages++;
  } while (cursor && pages < 500);
  return { items, pages };
}

// Two ranges: everything, and the last 12 minutes (traces that started before it still match by their later operations).
const ranges = [
  { from: new Date(now - 3_600_000), to: new Date(now + 3_600_000) },
  { from: new Date(now - 720_000), to: new Date(now + 3_600_000) },
];
const inRange = (r: { from: Date; to: Date }, o: Op) => msOf(o.ns) >= r.from.getTime() && msOf(o.ns) < r.to.getTime();

t.test('trace summaries: the traces matched, their order, paging and status, as FINAL defines them', async (t) => {
  for (const r of ranges) {
    for (const [filter, match, status] of [
      ['', () => true, ''],
      ['&mode=tool_error', (o: Op) => o.failure_modes.includes('tool_error'), ''],
      ['', () => true, 'error'],
      ['', () => true, 'ok'],
    ] as [string, (o: Op) => boolean, string][]) {
      const matched = new Set(ops.filter((o) => inRange(r, o) && match(o)).map((o) => o.trace_id));
      const expected = [...matched]
        .map((id) => {
          const own = ops.filter((o) => o.trace_id === id);
          return {
            trace_id: id,
            start: own.map((o) => o.ns).sort(nsDesc).at(-1)!,
            operations: own.length,
            errors: own.filter((o) => o.status === 'error').length,
            tool_calls: own.filter((o) => o.kind === 'tool').length,
            failure_modes: [...new Set(own.flatMap((o) => o.failure_modes))].sort(),
          };
        })
        .filter((s) => (status === 'error' ? s.errors > 0 : status === 'ok' ? s.errors === 0 : true))
        .sort((a, b) => nsDesc(a.start, b.start) || desc(a.trace_id, b.trace_id))
        .map(({ start: _, ...s }) => s);
      const got = await allPages<Record<string, unknown>>(`/api/v1/traces?from=${r.from.toISOString()}&to=${r.to.toISOString()}&limit=7${filter}${status ? `&status=${status}` : ''}`, 'traces');
      t.ok(expected.length > 7, `more than one page (${expected.length} traces)`);
      t.same(
        got.items.map((s) => ({ trace_id: s.trace_id, operations: s.operations, errors: s.errors, tool_calls: s.tool_calls, failure_modes: s.failure_modes })),
        expected,
        `${r.from.toISOString()}${filter} status=${status || 'any'}: ${got.pages} pages`,
      );
    }
  }
});

t.test('failure instances: each failure of the latest versions once, newest first, across pages', async (t) => {
  for (const r of ranges) {
    for (const mode of [undefined, 'repeated_tool_call']) {
      const expected = ops
        .filter((o) => inRange(r, o))
        .flatMap((o) => o.failure_modes.map((m, i) => ({ o, m, i: i + 1 })))
        .filter((f) => mode === undefined || f.m === mode)
        .sort((a, b) => nsDesc(a.o.ns, b.o.ns) || desc(a.o.trace_id, b.o.trace_id) || desc(a.o.span_id, b.o.span_id) || b.i - a.i)
        .map((f) => `${f.o.trace_id}/${f.o.span_id}/${f.m}`);
      const got = await allPages<{ trace_id: string; span_id: string; mode: string }>(
        `/api/v1/failures?from=${r.from.toISOString()}&to=${r.to.toISOString()}&limit=7${mode ? `&mode=${mode}` : ''}`,
        'failures',
      );
      t.ok(expected.length > 14, `several pages (${expected.length} failures)`);
      t.same(got.items.map((f) => `${f.trace_id}/${f.span_id}/${f.mode}`), expected, `${r.from.toISOString()} mode=${mode ?? 'any'}: ${got.pages} pages`);
    }
  }
});

const POPS: { model?: string; tool?: string }[] = [{}, { model: 'model-1' }, { tool: 'tool_3' }];

t.test('population counts: runs and failures per tool and model, one population at a time and several in one scan', async (t) => {
  for (const r of ranges) {
    const together = await countPopulations(svc.store, 'default', POPS.map((pop) => ({ ...pop, ranges: [r] })), { harnessAttributes: [], dims: ['tool', 'model'], examples: 3 });
    for (const [k, pop] of POPS.entries()) {
      const inPop = ops.filter((o) => inRange(r, o));
      const runs = new Map<string, { tools: Set<string>; models: Set<string>; first: number }>();
      for (const o of inPop) {
        const run = runs.get(o.trace_id) ?? { tools: new Set<string>(), models: new Set<string>(), first: Infinity };
        if (o.kind === 'tool' && o.tool_name) run.tools.add(o.tool_name);
        for (const ft of o.failure_tools) if (ft) run.tools.add(ft);
        if (o.model) run.models.add(o.model);
        run.first = Math.min(run.first, msOf(o.ns));
        runs.set(o.trace_id, run);
      }
      for (const [id, run] of runs) if ((pop.model !== undefined && !run.models.has(pop.model)) || (pop.tool !== undefined && !run.tools.has(pop.tool))) runs.delete(id);
      const runRows = new Map<string, { runs: number; first_seen: number }>();
      const failRows = new Map<string, { failures: number; affected: Set<string> }>();
      for (const run of runs.values()) {
        for (const d of ['all|', ...[...run.tools].map((x) => `tool|${x}`), ...[...run.models].map((x) => `model|${x}`)]) {
          const row = runRows.get(d) ?? { runs: 0, first_seen: Infinity };
          row.runs++;
          row.first_seen = Math.min(row.first_seen, run.first);
          runRows.set(d, row);
        }
      }
      for (const o of inPop) {
        const run = runs.get(o.trace_id);
        if (!run) continue;
        o.failure_modes.forEach((m, i) => {
          const ft = o.failure_tools[i];
          if (!m || (pop.tool !== undefined && ft !== pop.tool)) return;
          for (const d of ['all|', ...(ft ? [`tool|${ft}`] : []), ...[...run.models].map((x) => `model|${x}`)]) {
            const row = failRows.get(`${m}|${d}`) ?? { failures: 0, affected: new Set<string>() };
            row.failures++;
            row.affected.add(o.trace_id);
            failRows.set(`${m}|${d}`, row);
          }
        });
      }
      const alone = await countPopulation(svc.store, 'default', { ...pop, ranges: [r] }, { harnessAttributes: [], dims: ['tool', 'model'], examples: 3 });
      for (const [how, counts] of [['alone', alone], ['together', together[k]]] as [string, PopulationCounts][]) {
        const label = `${r.from.toISOString()} ${JSON.stringify(pop)} ${how}`;
        t.ok(runRows.size > 3 && failRows.size > 3, `${label}: rows to compare`);
        t.same(
          Object.fromEntries(counts.runs.map((x) => [`${x.dim}|${x.value}`, { runs: x.runs, first_seen: x.first_seen }])),
          Object.fromEntries(runRows),
          `${label}: runs`,
        );
        t.same(
          Object.fromEntries(counts.failures.map((x) => [`${x.mode}|${x.dim}|${x.value}`, { failures: x.failures, affected: x.affected }])),
          Object.fromEntries([...failRows].map(([k, v]) => [k, { failures: v.failures, affected: v.affected.size }])),
          `${label}: failures`,
        );
        t.ok(
          counts.failures.every((x) => x.examples.length === Math.min(3, failRows.get(`${x.mode}|${x.dim}|${x.value}`)!.affected.size) && x.examples.every((id) => failRows.get(`${x.mode}|${x.dim}|${x.value}`)!.affected.has(id))),
          `${label}: examples are affected runs`,
        );
      }
    }
  }
});
