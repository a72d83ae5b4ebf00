// GET /api/v1/failures/compare and group_by=harness, on generated runs ingested over OTLP/HTTP: two versions
// of one harness, the second with three times the tool_error rate on edit_file. The service names harnesses
// by service.name + agent.harness.version (TRACEMILL_HARNESS_ATTRIBUTES) to check that setting too.
// Reference values: scipy 1.17.1 (scipy.stats.norm.sf for the pooled z-test, binomtest(...).proportion_ci(
// method='wilson') combined by Newcombe's formula, scipy.stats.fisher_exact), computed on the build machine.
import t, { type Test } from 'tap';
import { sendRuns } from '../helpers/runs.js';
import { startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000, harnessAttributes: 'service.name,agent.harness.version' });
t.teardown(() => svc.stop());

const start = new Date(Date.now() - 3 * 3_600_000);
const tools = ['edit_file', 'read_file'];
const v14 = await sendRuns(svc.httpUrl, { service: 'coder', version: '1.4.0', resource: { 'agent.harness.version': 'h14' }, runs: 400, tools, errors: { edit_file: 20, read_file: 8 }, start });
const v15 = await sendRuns(svc.httpUrl, { service: 'coder', version: '1.5.0', resource: { 'agent.harness.version': 'h15' }, runs: 400, tools, errors: { edit_file: 60, read_file: 8 }, start });
await sendRuns(svc.httpUrl, { service: 'tiny', version: '1.4.0', runs: 10, tools, errors: { edit_file: 2 }, start });
await sendRuns(svc.httpUrl, { service: 'tiny', version: '1.5.0', runs: 10, tools, errors: { edit_file: 6 }, start });
await svc.normalizer.flush();

interface Side {
  runs: number;
  affected_runs: number;
  failures: number;
  rate: number;
}
interface Row {
  mode: string;
  tool: string | null;
  a: Side;
  b: Side;
  difference: number | null;
  ci: [number, number] | null;
  test: string | null;
  p_value: number | null;
  adjusted_p: number | null;
  significant: boolean | null;
  examples_b: string[];
}
interface Answer {
  verdict: string;
  message: string;
  a: { runs: number };
  b: { runs: number };
  method: { interval: string; correction: string; tested: number };
  rows: Row[];
}

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${svc.httpUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}
const close = (t: Test, got: number | undefined | null, want: number, tol: number, msg: string) => t.ok(got != null && Math.abs(got - want) <= tol, `${msg}: ${got} vs ${want}`);

t.test('version 1.5.0 against 1.4.0: edit_file tool errors tripled', async (t) => {
  const { status, body } = await get<Answer>(`/api/v1/failures/compare?a=${encodeURIComponent('service:coder,service.version:1.4.0')}&b=${encodeURIComponent('service:coder,service.version:1.5.0')}`);
  t.equal(status, 200);
  t.equal(body.verdict, 'compared');
  t.equal(body.a.runs, 400);
  t.equal(body.b.runs, 400);
  t.equal(body.method.interval, 'newcombe_hybrid_score');
  t.equal(body.method.correction, 'holm');
  const edit = body.rows.find((r) => r.mode === 'tool_error' && r.tool === 'edit_file');
  t.same([edit?.a.runs, edit?.a.affected_runs, edit?.b.runs, edit?.b.affected_runs], [400, 20, 400, 60]);
  t.equal(edit?.test, 'two_proportion_z');
  close(t, edit?.difference, 0.1, 1e-12, 'difference');
  close(t, edit?.p_value, 2.4284674729758487e-6, 1e-15, 'p (scipy)');
  close(t, edit?.ci?.[0], 0.05905919311902447, 1e-9, 'CI lower (scipy Wilson + Newcombe)');
  close(t, edit?.ci?.[1], 0.14208066320165857, 1e-9, 'CI upper');
  t.equal(edit?.significant, true);
  t.ok(edit!.adjusted_p! >= edit!.p_value! && edit!.adjusted_p! <= edit!.p_value! * body.method.tested, 'Holm: between p and m * p');
  t.ok(edit!.examples_b.every((id) => v15.failing.edit_file!.includes(id)) && edit!.examples_b.length > 0, 'examples are failing runs of b');

  const read = body.rows.find((r) => r.mode === 'tool_error' && r.tool === 'read_file');
  t.same([read?.a.affected_runs, read?.b.affected_runs], [8, 8]);
  close(t, read?.p_value, 1, 1e-12, 'same rate, p = 1 (scipy)');
  close(t, read?.ci?.[1], 0.021360518624699475, 1e-9, 'CI upper (scipy)');
  t.equal(read?.significant, false);

  const mode = body.rows.find((r) => r.mode === 'tool_error' && r.tool === null);
  const union = (f: Record<string, string[]>) => new Set([...f.edit_file!, ...f.read_file!]).size;
  t.equal(mode?.a.affected_runs, union(v14.failing), 'runs with any tool error, 1.4.0');
  t.equal(mode?.b.affected_runs, union(v15.failing), 'runs with any tool error, 1.5.0');
  t.equal(mode?.significant, true);
});

t.test('the harness attribute names a population too', async (t) => {
  const byHarness = await get<Answer>(`/api/v1/failures/compare?a=harness:coder@h14&b=harness:coder@h15`);
  const byAttr = await get<Answer>(`/api/v1/failures/compare?a=agent.harness.version:h14&b=agent.harness.version:h15`);
  for (const { status, body } of [byHarness, byAttr]) {
    t.equal(status, 200);
    const edit = body.rows.find((r) => r.mode === 'tool_error' && r.tool === 'edit_file');
    t.same([edit?.a.affected_runs, edit?.b.affected_runs, body.a.runs, body.b.runs], [20, 60, 400, 400]);
  }
});

t.test('too few runs: counts, no verdict', async (t) => {
  const { status, body } = await get<Answer>(`/api/v1/failures/compare?a=${encodeURIComponent('service:tiny,service.version:1.4.0')}&b=${encodeURIComponent('service:tiny,service.version:1.5.0')}`);
  t.equal(status, 200);
  t.equal(body.verdict, 'too_few_runs');
  t.match(body.message, /too few runs.*a has 10, b has 10.*at least 30/);
  const edit = body.rows.find((r) => r.mode === 'tool_error' && r.tool === 'edit_file');
  t.same([edit?.a.affected_runs, edit?.b.affected_runs], [2, 6]);
  t.same([edit?.p_value, edit?.significant, edit?.ci], [null, null, null], 'no test');
  // With min_runs lowered the same counts are tested, by Fisher's exact test (expected counts below 5).
  const low = await get<Answer>(`/api/v1/failures/compare?min_runs=5&a=${encodeURIComponent('service:tiny,service.version:1.4.0')}&b=${encodeURIComponent('service:tiny,service.version:1.5.0')}`);
  const e2 = low.body.rows.find((r) => r.mode === 'tool_error' && r.tool === 'edit_file');
  t.equal(e2?.test, 'fisher_exact');
  close(t, e2?.p_value, 0.16980233388902116, 1e-9, 'Fisher p (scipy)');
  close(t, e2?.ci?.[0], -0.02255846535520878, 1e-9, 'CI lower (scipy)');
  close(t, e2?.ci?.[1], 0.6725442445674757, 1e-9, 'CI upper (scipy)');
});

t.test('malformed or unknown specs: 400 naming a or b, listing the keys', async (t) => {
  for (const [qs, param, what] of [
    ['a=&b=service.version:1.5.0', 'a', /is empty/],
    ['a=service.version:1.4.0&b=colour:red', 'b', /unknown key "colour"/],
    ['a=1.4.0&b=service.version:1.5.0', 'a', /is not key:value/],
    ['a=service.version:1.4.0&b=from:yesterday', 'b', /not a time/],
    ['a=model:x,model:y&b=model:z', 'a', /given twice/],
  ] as const) {
    const { status, body } = await get<{ error: string; message: string }>(`/api/v1/failures/compare?${qs}`);
    t.equal(status, 400, qs);
    t.ok(body.message.startsWith(`${param}:`), `names ${param}: ${body.message}`);
    t.match(body.message, what);
    if (!/twice|time/.test(String(what))) t.match(body.message, /harness, model, tool, agent, service, service.name, service.version, from, to, agent.harness.version/, 'lists the keys');
  }
  const missing = await get<{ message: string }>(`/api/v1/failures/compare?a=model:x`);
  t.equal(missing.status, 400);
  t.match(missing.body.message, /\bb\b/);
});

t.test('group_by=harness in the failure stats', async (t) => {
  const { status, body } = await get<{ rows: { harness: string; mode: string; failures: number; runs: number }[] }>(`/api/v1/failures/stats?from=1d&group_by=harness,mode`);
  t.equal(status, 200);
  const by = new Map(body.rows.map((r) => [`${r.harness}/${r.mode}`, r]));
  t.equal(by.get('coder@h14/tool_error')?.failures, 28);
  t.equal(by.get('coder@h15/tool_error')?.failures, 68);
  t.equal(by.get('tiny/tool_error')?.failures, 8, 'no agent.harness.version: the service name alone');
});

t.test('the OpenAPI document describes the endpoint', async (t) => {
  const { body } = await get<{ paths: Record<string, { get?: { parameters?: { name: string }[] } }> }>('/openapi.json');
  const names = body.paths['/api/v1/failures/compare']?.get?.parameters?.map((p) => p.name) ?? [];
  t.ok(['a', 'b', 'from', 'to', 'confidence', 'alpha', 'min_runs'].every((n) => names.includes(n)), names.join(','));
});
