// Compare: two populations (harness versions, models, time ranges) side by side per failure mode, with the
// API's test and Holm-adjusted significance.
import { api, ApiError } from '../api.js';
import { Empty, Loaded, NOT_YET, useLoad } from '../components/states.js';
import { pct } from '../format.js';
import { navigate, type Route } from '../route.js';

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
}
interface Answer {
  verdict: string;
  message: string;
  a: { runs: number };
  b: { runs: number };
  method: { confidence: number; tests: string[]; correction: string; alpha: number };
  rows: Row[];
}

export function Compare({ route }: { route: Route }) {
  const a = route.params.get('a') ?? '';
  const b = route.params.get('b') ?? '';
  const from = route.params.get('from') ?? '';
  const submit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    navigate('compare', '', { a: String(f.get('a') || ''), b: String(f.get('b') || ''), from: String(f.get('from') || '') || undefined });
  };
  const load = useLoad(() => (a && b ? api<Answer>('/api/v1/failures/compare', { a, b, from: from || undefined }) : Promise.resolve(null)), [a, b, from]);
  return (
    <section aria-labelledby="compare-title">
      <h1 id="compare-title">Compare</h1>
      <form class="filters" onSubmit={submit} aria-label="Populations">
        <label>
          A (reference)
          <input name="a" value={a} placeholder="service.version:1.4.0" size={28} />
        </label>
        <label>
          B
          <input name="b" value={b} placeholder="service.version:1.5.0" size={28} />
        </label>
        <label>
          From
          <input name="from" value={from} placeholder="7d" size={8} />
        </label>
        <button type="submit">Compare</button>
      </form>
      <Loaded
        load={load}
        what="the comparison"
        ok={(r) => {
          if (!r) return <Empty>Give two populations as key:value filters, for example two harness versions (service.version:1.4.0 and service.version:1.5.0) or two models (model:gpt-5 and model:gpt-5-mini).</Empty>;
          const rows = [...r.rows].sort((x, y) => Number(!!y.significant) - Number(!!x.significant) || (y.difference ?? 0) - (x.difference ?? 0));
          return (
            <>
              <p class={r.verdict === 'compared' ? 'note' : 'state empty'}>{r.message}</p>
              <p class="note">
                A: {r.a.runs} runs · B: {r.b.runs} runs · tests: {r.method.tests.join(', ')} · {Math.round(r.method.confidence * 100)}% intervals · {r.method.correction} correction at α = {r.method.alpha}
              </p>
              <table class="list">
                <thead>
                  <tr>
                    <th scope="col">Mode</th>
                    <th scope="col">Tool</th>
                    <th scope="col">A rate</th>
                    <th scope="col">B rate</th>
                    <th scope="col">Difference (CI)</th>
                    <th scope="col">Adjusted p</th>
                    <th scope="col">Significant</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((x) => (
                    <tr class={x.significant ? (x.difference! > 0 ? 'worse' : 'better') : ''}>
                      <td>
                        <span class="mode">{x.mode}</span>
                      </td>
                      <td>{x.tool ?? 'all tools'}</td>
                      <td class="num">
                        {pct(x.a.rate)} ({x.a.affected_runs}/{x.a.runs})
                      </td>
                      <td class="num">
                        {pct(x.b.rate)} ({x.b.affected_runs}/{x.b.runs})
                      </td>
                      <td class="num">{x.difference == null ? '–' : `${x.difference > 0 ? '+' : ''}${pct(x.difference)}${x.ci ? ` (${pct(x.ci[0])} to ${pct(x.ci[1])})` : ''}`}</td>
                      <td class="num">{x.adjusted_p == null ? '–' : x.adjusted_p.toPrecision(2)}</td>
                      <td>{x.significant == null ? 'not tested' : x.significant ? (x.difference! > 0 ? '▲ worse in B' : '▼ better in B') : 'no'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          );
        }}
      />
      {load.state === 'error' && load.error instanceof ApiError && load.error.status === 404 && NOT_YET('Comparisons')}
    </section>
  );
}
