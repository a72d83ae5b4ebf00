// Overview: the figures of the range, the failure rate over time, and what fails most.
import { useMemo } from 'preact/hooks';
import { api } from '../api.js';
import { Bars, TimeChart } from '../components/chart.js';
import { FilterBar } from '../components/filters.js';
import { Empty, Loaded, useLoad } from '../components/states.js';
import { bucketTime, int, pct, signed, usd } from '../format.js';
import { href, paramsOf, type Route } from '../route.js';
import type { FailureStats, ModelStats, ToolStats } from '../types.js';

const KEYS = ['from', 'to', 'service', 'agent', 'model'] as const;

/** Buckets by hour for ranges up to two days, else by day. */
function bucket(from: string | undefined): 'hour' | 'day' {
  const m = /^(\d+(?:\.\d+)?)(m|h|d|w)$/.exec(from ?? '24h');
  if (!m) return 'day';
  const hours = Number(m[1]) * { m: 1 / 60, h: 1, d: 24, w: 168 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return hours <= 48 ? 'hour' : 'day';
}

export function Overview({ route }: { route: Route }) {
  const p = paramsOf(route, KEYS);
  const by = bucket(p.from);
  // The figures and charts first; the failure modes (two more scans) fill their own section when they come.
  // The engine runs one parameterized query at a time, so asking for them last lets the rest show sooner.
  const load = useLoad(
    () =>
      Promise.all([
        api<FailureStats>('/api/v1/failures/stats', { ...p, group_by: by, compare: 'previous' }),
        api<ToolStats>('/api/v1/tools/stats', p),
        api<ModelStats>('/api/v1/models/stats', p),
      ]),
    [route.params.toString()],
  );
  const modes = useLoad(() => api<FailureStats>('/api/v1/failures/stats', { ...p, group_by: 'mode' }), [route.params.toString()]);
  // Rendered once per answer: the modes arriving re-render the page, and must leave the charts' DOM alone.
  const main = useMemo(
    () => (
      <Loaded
        load={load}
        what="the overview"
        ok={([time, tools, models]) => {
          if (!time.totals.runs)
            return (
              <Empty>
                <p>No agent runs in this range.</p>
                <p>
                  Point an agent's OpenTelemetry exporter at this service, for example{' '}
                  <code>OTEL_EXPORTER_OTLP_ENDPOINT=http://{location.host}</code>, or widen the range (<a href={href('overview', '', { ...p, from: '30d' })}>last 30 days</a>).
                </p>
              </Empty>
            );
          const t = time.totals;
          const prev = t.previous;
          const tokens = models.models.reduce((n, m) => n + m.input_tokens + m.output_tokens, 0);
          const costs = models.models.map((m) => m.cost_usd).filter((c): c is number => c != null);
          const llmCalls = models.models.reduce((n, m) => n + m.calls, 0);
          const toolCalls = tools.tools.reduce((n, x) => n + x.calls, 0);
          const rows = fillBuckets(time.rows, by);
          const fresh = time.freshness ?? null;
          return (
            <>
              <dl class="tiles">
                <Tile label="Runs" value={int(t.runs)} prev={prev && signed(t.runs - prev.runs, int)} />
                <Tile label="LLM calls" value={int(llmCalls)} />
                <Tile label="Tool calls" value={int(toolCalls)} />
                <Tile label="Tokens" value={int(tokens)} />
                <Tile label="Cost" value={costs.length ? usd(costs.reduce((a, b) => a + b, 0)) : 'not reported'} />
                <Tile label="Failures" value={int(t.failures)} prev={prev && signed(t.failures - prev.failures, int)} />
                <Tile label="Failure rate" value={pct(t.failure_rate)} prev={prev && signed(t.failure_rate - prev.failure_rate, pct)} />
              </dl>
              {fresh && <p class="fresh">Analysis complete up to {fresh}.</p>}
              {prev && <p class="note">Changes are against the period of the same length just before.</p>}
              <TimeChart
                title={`Failure rate per ${by}`}
                times={rows.map((r) => bucketTime(r[by] as string))}
                series={[{ label: 'failure rate', values: rows.map((r) => (r.runs ? r.failure_rate : null)), color: '#c0392b', format: pct }]}
              />
              <TimeChart
                title={`Runs and failures per ${by}`}
                times={rows.map((r) => bucketTime(r[by] as string))}
                series={[
                  { label: 'runs', values: rows.map((r) => r.runs), color: '#2c6fbb' },
                  { label: 'failures', values: rows.map((r) => r.failures), color: '#c0392b' },
                ]}
              />
              <div class="columns">
                <div>
                  <h2>Tools by errors</h2>
                  <Bars
                    label="Tool errors"
                    unit={["error", "errors"]}
                    rows={[...tools.tools].sort((a, b) => b.errors - a.errors).slice(0, 8).map((x) => ({ key: x.tool, value: x.errors, href: href('failures', '', { ...p, tool: x.tool }) }))}
                  />
                </div>
                <div>
                  <h2>Models</h2>
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Model</th>
                        <th scope="col">Calls</th>
                        <th scope="col">Tokens in / out</th>
                        <th scope="col">Errors</th>
                      </tr>
                    </thead>
                    <tbody>
                      {models.models.slice(0, 8).map((m) => (
                        <tr>
                          <td>{m.model || '(unknown)'}</td>
                          <td class="num">{int(m.calls)}</td>
                          <td class="num">
                            {int(m.input_tokens)} / {int(m.output_tokens)}
                          </td>
                          <td class="num">{int(m.errors)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
            </>
          );
        }}
      />
    ),
    [load],
  );
  const hasRuns = load.state === 'ok' && load.data[0].totals.runs > 0;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <FilterBar route={route} keys={KEYS} />
      {main}
      {hasRuns && (
        <div class="later">
          <h2>Top failure modes</h2>
          <Loaded
            load={modes}
            what="failure modes"
            ok={(m) => {
              const failing = m.rows.filter((r) => r.failures > 0).sort((a, b) => b.failures - a.failures);
              return failing.length ? (
                <Bars label="Failures by mode" unit={['failure', 'failures']} rows={failing.slice(0, 8).map((r) => ({ key: r.mode ?? '', value: r.failures, href: href('failures', '', { ...p, mode: r.mode }) }))} />
              ) : (
                <Empty>No failures in this range.</Empty>
              );
            }}
          />
        </div>
      )}
    </section>
  );
}

/** One row per bucket from the first to the last, the empty ones with no runs (a chart must not draw a line across a gap). */
function fillBuckets(rows: FailureStats['rows'], by: 'hour' | 'day'): FailureStats['rows'] {
  const step = by === 'hour' ? 3600 : 86400;
  const byTime = new Map(rows.map((r) => [bucketTime(r[by] as string), r]));
  const times = [...byTime.keys()].sort((a, b) => a - b);
  if (!times.length) return [];
  const out: FailureStats['rows'] = [];
  for (let t = times[0]; t <= times[times.length - 1]; t += step) {
    const iso = new Date(t * 1000).toISOString();
    out.push(byTime.get(t) ?? { [by]: by === 'day' ? iso.slice(0, 10) : iso.slice(0, 19) + 'Z', runs: 0, calls: 0, failures: 0, failure_rate: Number.NaN });
  }
  return out;
}

function Tile({ label, value, prev }: { label: string; value: string; prev?: string | false }) {
  return (
    <div class="tile">
      <dt>{label}</dt>
      <dd>
        <span class="tile-value">{value}</span>
        {prev ? <span class="tile-change"> {prev}</span> : null}
      </dd>
    </div>
  );
}
