// The query API over HTTP, on data ingested through OTLP: the three Claude Code captures (spans and logs)
// and five agent runs exported by the real OpenTelemetry SDK, each with a failing read_file tool.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import t from 'tap';
import { CLAUDE_CODE_FIXTURES } from '../helpers/fixtures.js';
import { postCaptures, startTestService } from '../helpers/service.js';
import { exportWith, makeSpans } from '../helpers/spans.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

await postCaptures(svc.httpUrl);
const exporter = new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` });
await exportWith(exporter, makeSpans('sdk-agent', { count: 5 }));
await exporter.shutdown();
await svc.normalizer.flush();

const RANGE = 'from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z';

async function get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${svc.httpUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

interface StatsRow {
  mode?: string;
  tool?: string;
  runs: number;
  calls: number;
  failures: number;
  failure_rate: number;
  previous?: { failures: number };
  change?: { failures: number };
}
interface Stats {
  rows: StatsRow[];
  totals: { runs: number; calls: number; failures: number; failure_rate: number; previous?: { failures: number } };
}

t.test('failure stats grouped by mode', async (t) => {
  const { status, body } = await get<Stats>(`/api/v1/failures/stats?${RANGE}&group_by=mode`);
  t.equal(status, 200);
  const by = new Map(body.rows.map((r) => [r.mode, r]));
  // tools/ Read + subagent/ main-agent tool + 5 SDK read_file failures.
  t.equal(by.get('tool_error')?.failures, 7, 'seven tool errors');
  t.equal(by.get('repeated_tool_call')?.failures, 1, 'the repeated Bash call of tools/');
  t.equal(by.get('compaction')?.failures, 1, 'the compaction of compaction/');
  t.equal(by.get('tool_error')?.runs, 7, 'in seven runs');
  const sum = body.rows.reduce((n, r) => n + r.failures, 0);
  t.equal(body.totals.failures, sum, 'totals add up');
  t.ok(body.totals.calls > 0 && body.rows.every((r) => r.calls === body.totals.calls), 'a mode row is rated against all calls');
  t.equal(by.get('tool_error')?.failure_rate, 7 / body.totals.calls);
});

t.test('failure stats grouped by tool, for one mode, with the previous period', async (t) => {
  const { status, body } = await get<Stats>(`/api/v1/failures/stats?${RANGE}&group_by=tool&mode=tool_error&compare=previous`);
  t.equal(status, 200);
  const by = new Map(body.rows.map((r) => [r.tool, r]));
  t.equal(by.get('read_file')?.failures, 5);
  t.equal(by.get('read_file')?.calls, 5);
  t.equal(by.get('read_file')?.failure_rate, 1);
  t.equal(by.get('Read')?.failures, 1);
  t.notOk(body.rows.some((r) => r.failures === 0), 'only tools with that failure');
  t.equal(by.get('read_file')?.previous?.failures, 0, 'nothing in the period before');
  t.equal(by.get('read_file')?.change?.failures, 5);
  t.equal(body.totals.previous?.failures, 0);
});

t.test('failure stats by day and hour', async (t) => {
  const { body } = await get<{ rows: { day: string; hour: string; calls: number }[] }>(`/api/v1/failures/stats?${RANGE}&group_by=day,hour`);
  t.ok(body.rows.length >= 1);
  for (const r of body.rows) {
    t.match(r.day, /^\d{4}-\d{2}-\d{2}$/);
    t.match(r.hour, /^\d{4}-\d{2}-\d{2}T\d{2}:00:00Z$/);
  }
});

t.test('failure instances, paged with a cursor', async (t) => {
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { status: number; body: { failures: { span_id: string; mode: string; evidence: string; tool: string }[]; next_cursor: string | null } } = await get(
      `/api/v1/failures?${RANGE}&mode=tool_error&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
    );
    t.equal(res.status, 200);
    t.ok(res.body.failures.length <= 2);
    for (const f of res.body.failures) {
      t.equal(f.mode, 'tool_error');
      t.ok(f.evidence.length > 0, 'with evidence');
      seen.add(f.span_id);
    }
    cursor = res.body.next_cursor;
    pages++;
  } while (cursor && pages < 10);
  t.equal(seen.size, 7, 'all seven, each once');
  t.equal(pages, 4);
});

t.test('tool stats', async (t) => {
  const { body } = await get<{ tools: { tool: string; calls: number; errors: number; error_rate: number; p50_ms: number; p99_ms: number; repeated_calls: number }[] }>(
    `/api/v1/tools/stats?${RANGE}`,
  );
  const by = new Map(body.tools.map((r) => [r.tool, r]));
  t.same([by.get('read_file')?.calls, by.get('read_file')?.errors, by.get('read_file')?.error_rate], [5, 5, 1]);
  t.equal(by.get('Read')?.errors, 1);
  t.ok((by.get('Bash')?.calls ?? 0) >= 2);
  t.equal(by.get('Bash')?.repeated_calls, 1);
  for (const r of body.tools) t.ok(r.p99_ms >= r.p50_ms && r.p50_ms >= 0, `${r.tool} percentiles ordered`);
});

t.test('model stats', async (t) => {
  const { body } = await get<{ models: { model: string; calls: number; input_tokens: number; cost_usd: number; finish_reasons: Record<string, number> }[] }>(
    `/api/v1/models/stats?${RANGE}`,
  );
  const by = new Map(body.models.map((r) => [r.model, r]));
  t.equal(by.get('demo-model')?.calls, 5);
  t.equal(by.get('demo-model')?.input_tokens, 5 * 1234);
  const claude = body.models.filter((m) => m.model.startsWith('claude'));
  t.ok(claude.length >= 1);
  t.ok(claude.reduce((n, m) => n + m.cost_usd, 0) > 0, 'cost reported by Claude Code');
  t.ok(claude.some((m) => (m.finish_reasons.tool_call ?? 0) > 0));
});

interface Summary {
  trace_id: string;
  session_id: string;
  llm_calls: number;
  tool_calls: number;
  subagents: number;
  failure_modes: string[];
}

t.test('trace list, filters and cursor', async (t) => {
  const all = await get<{ traces: Summary[]; next_cursor: string | null }>(`/api/v1/traces?${RANGE}&limit=500`);
  t.equal(all.status, 200);
  t.ok(all.body.traces.length >= 8, 'three captures and five SDK runs');
  const page1 = await get<{ traces: Summary[]; next_cursor: string }>(`/api/v1/traces?${RANGE}&limit=3`);
  const page2 = await get<{ traces: Summary[] }>(`/api/v1/traces?${RANGE}&limit=3&cursor=${page1.body.next_cursor}`);
  t.same(
    [...page1.body.traces, ...page2.body.traces].map((s) => s.trace_id),
    all.body.traces.slice(0, 6).map((s) => s.trace_id),
    'pages follow each other',
  );
  const compaction = await get<{ traces: Summary[] }>(`/api/v1/traces?${RANGE}&mode=compaction`);
  t.equal(compaction.body.traces.length, 1);
  const sdk = await get<{ traces: Summary[] }>(`/api/v1/traces?${RANGE}&service=sdk-agent`);
  t.equal(sdk.body.traces.length, 5);
  for (const s of sdk.body.traces) t.same([s.llm_calls, s.tool_calls, s.failure_modes.includes('tool_error')], [1, 1, true]);
});

t.test('one trace as a tree, with raw spans', async (t) => {
  const list = await get<{ traces: Summary[] }>(`/api/v1/traces?${RANGE}&limit=500`);
  const sub = list.body.traces.find((s) => s.subagents === 1);
  t.ok(sub, 'the subagent capture');
  const { status, body } = await get<{
    tree: { kind: string; children: { kind: string; agent: { depth: number }; children: { kind: string; tool?: { name: string } }[] }[] }[];
    failures: { mode: string }[];
    raw: { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
  }>(`/api/v1/traces/${sub!.trace_id}?raw=1`);
  t.equal(status, 200);
  const flat: { kind: string; agent?: { depth: number }; children: unknown[] }[] = [];
  const walk = (nodes: { kind: string; children: unknown[] }[]) => {
    for (const n of nodes) {
      flat.push(n as never);
      walk(n.children as never);
    }
  };
  walk(body.tree as never);
  const subagent = flat.find((n) => n.kind === 'subagent') as { children: { kind: string; agent: { depth: number } }[] } | undefined;
  t.ok(subagent, 'the subagent is in the tree');
  t.ok(subagent!.children.some((c) => c.kind === 'llm' && c.agent.depth === 1), 'its own LLM calls nested inside');
  t.ok(subagent!.children.some((c) => c.kind === 'tool'), 'its tool call nested inside');
  t.same(body.failures.map((f) => f.mode), ['tool_error']);
  const rawSpans = body.raw.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const fixture = JSON.parse(readFileSync(join(CLAUDE_CODE_FIXTURES, 'subagent/traces.json'), 'utf8')) as { resourceSpans: { scopeSpans: { spans: { traceId: string }[] }[] }[] };
  const expected = fixture.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).filter((s) => s.traceId === sub!.trace_id);
  t.ok(expected.length > 0);
  t.equal(rawSpans.length, expected.length, 'every raw span of the trace');
  const noRaw = await get<{ raw?: unknown }>(`/api/v1/traces/${sub!.trace_id}`);
  t.equal(noRaw.body.raw, undefined, 'raw only on request');
});

t.test('a session lists its traces in order', async (t) => {
  const list = await get<{ traces: Summary[] }>(`/api/v1/traces?${RANGE}&limit=500`);
  const withSession = list.body.traces.find((s) => s.session_id);
  const { status, body } = await get<{ traces: Summary[] }>(`/api/v1/sessions/${withSession!.session_id}`);
  t.equal(status, 200);
  t.ok(body.traces.some((s) => s.trace_id === withSession!.trace_id));
  const unknown = await get<{ error: string; message: string }>('/api/v1/sessions/no-such-session');
  t.equal(unknown.status, 404, 'an unknown session is not found, as an unknown trace is');
  t.equal(unknown.body.error, 'not_found');
});

t.test('bad parameters get a 400 naming the parameter', async (t) => {
  const cases: [string, RegExp][] = [
    ['/api/v1/failures/stats?group_by=colour', /group_by/],
    ['/api/v1/failures/stats?from=yesterday', /from.*not a time/],
    ['/api/v1/failures/stats?from=1h&to=2h', /from: .* is not before to/],
    ['/api/v1/failures/stats?mode=bad_mode', /mode/],
    ['/api/v1/failures/stats?compare=next', /compare/],
    ['/api/v1/failures?limit=0', /limit/],
    ['/api/v1/failures?limit=abc', /limit/],
    ['/api/v1/failures?cursor=not-a-cursor', /cursor/],
    ['/api/v1/traces?cursor=WzFd', /cursor/],
    ['/api/v1/traces?status=maybe', /status/],
    ['/api/v1/traces/xyz', /traceId/],
  ];
  for (const [path, re] of cases) {
    const { status, body } = await get<{ error: string; message: string }>(path);
    t.equal(status, 400, path);
    t.match(body.message, re, `${path}: ${body.message}`);
  }
  const missing = await get<{ error: string; message: string }>(`/api/v1/traces/${'0'.repeat(32)}`);
  t.equal(missing.status, 404);
});

t.test('hostile strings are values, never SQL', async (t) => {
  for (const evil of ["x' OR 1=1 --", "'); DROP TABLE spans; --", '\\\'', '{project:String}', 'a\u0000b']) {
    const q = encodeURIComponent(evil);
    for (const path of [`/api/v1/failures/stats?${RANGE}&tool=${q}`, `/api/v1/tools/stats?${RANGE}&agent=${q}`, `/api/v1/traces?${RANGE}&session=${q}`, `/api/v1/sessions/${q}`]) {
      const { status, body } = await get<Record<string, unknown[]>>(path);
      if (path.startsWith('/api/v1/sessions/')) {
        t.equal(status, 404, `${path}: no such session`);
        continue;
      }
      t.equal(status, 200, `${path}`);
      const list = (body.rows ?? body.tools ?? body.traces) as unknown[];
      t.same(list, [], 'matches nothing');
    }
  }
  const [{ n }] = await svc.rows<{ n: string }>('SELECT count() AS n FROM spans');
  t.ok(Number(n) > 0, 'spans still there');
});

t.test('OpenAPI document and docs UI', async (t) => {
  const { status, body } = await get<{ openapi: string; paths: Record<string, { get?: { parameters?: { name: string }[] } }> }>('/openapi.json');
  t.equal(status, 200);
  t.match(body.openapi, /^3\.1/);
  for (const p of ['/api/v1/failures/stats', '/api/v1/failures', '/api/v1/tools/stats', '/api/v1/models/stats', '/api/v1/traces', '/api/v1/traces/{traceId}', '/api/v1/sessions/{sessionId}']) {
    t.ok(body.paths[p]?.get, `${p} documented`);
  }
  t.ok(body.paths['/api/v1/failures/stats'].get?.parameters?.some((p) => p.name === 'group_by'));
  const docs = await fetch(`${svc.httpUrl}/docs`);
  t.equal(docs.status, 200);
});
