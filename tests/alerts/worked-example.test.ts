// The worked example of README.md and docs/regressions.md, run for real: version 1.5.0 of a coding agent
// makes the model call edit_file with broken arguments three times as often as 1.4.0 did. The
// invalid_tool_arguments failure sits on the LLM call, and is attributed to the tool it named.
// Reference values: scipy 1.17.1 (pooled z-test via scipy.stats.norm.sf; Wilson intervals from
// binomtest(...).proportion_ci(method='wilson') combined by Newcombe's formula), computed on the build machine.
import t, { type Test } from 'tap';
import { sendRuns } from '../helpers/runs.js';
import { startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

const start = new Date(Date.now() - 2 * 3_600_000);
const tools = ['edit_file', 'read_file'];
await sendRuns(svc.httpUrl, { service: 'coder', version: '1.4.0', runs: 500, tools, invalidArguments: { edit_file: 10 }, start });
await sendRuns(svc.httpUrl, { service: 'coder', version: '1.5.0', runs: 500, tools, invalidArguments: { edit_file: 30 }, start });
await svc.normalizer.flush();

const close = (t: Test, got: number | null | undefined, want: number, tol: number, msg: string) => t.ok(got != null && Math.abs(got - want) <= tol, `${msg}: ${got} vs ${want}`);

t.test('compare 1.4.0 with 1.5.0', async (t) => {
  const res = await fetch(`${svc.httpUrl}/api/v1/failures/compare?a=service.version:1.4.0&b=service.version:1.5.0&from=1d`);
  t.equal(res.status, 200);
  const body = (await res.json()) as {
    verdict: string;
    rows: { mode: string; tool: string | null; a: { affected_runs: number; rate: number }; b: { affected_runs: number; rate: number }; ci: [number, number]; p_value: number; adjusted_p: number; significant: boolean }[];
  };
  if (process.env.SHOW_EXAMPLE) console.log(JSON.stringify(body, null, 2));
  t.equal(body.verdict, 'compared');
  t.same(
    body.rows.map((r) => `${r.mode}/${r.tool}`).sort(),
    ['invalid_tool_arguments/edit_file', 'invalid_tool_arguments/null'],
    'only invalid_tool_arguments, on edit_file (no false failures on the clean calls)',
  );
  const edit = body.rows.find((r) => r.tool === 'edit_file')!;
  t.same([edit.a.affected_runs, edit.b.affected_runs], [10, 30]);
  close(t, edit.b.rate / edit.a.rate, 3, 1e-12, 'three times as frequent');
  close(t, edit.p_value, 0.0012488309880884251, 1e-12, 'p (scipy)');
  close(t, edit.ci[0], 0.01589184916288992, 1e-9, 'CI lower (scipy)');
  close(t, edit.ci[1], 0.06600550433670574, 1e-9, 'CI upper (scipy)');
  t.equal(edit.significant, true);
});
