// Alerts and Exports: lists from APIs that may be newer than this service, shown as tables of their fields.
import { api, ApiError } from '../api.js';
import { Empty, Loaded, NOT_YET, useLoad } from '../components/states.js';
import type { Route } from '../route.js';

type Item = Record<string, unknown>;

function cell(v: unknown): string {
  if (v == null) return '–';
  if (typeof v === 'object') return JSON.stringify(v).slice(0, 200);
  return String(v);
}

function Table({ items, label }: { items: Item[]; label: string }) {
  const cols = [...new Set(items.flatMap((i) => Object.keys(i)))].filter((k) => items.some((i) => typeof i[k] !== 'object' || i[k] === null)).slice(0, 10);
  return (
    <table class="list" aria-label={label}>
      <thead>
        <tr>
          {cols.map((c) => (
            <th scope="col">{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr>
            {cols.map((c) => (
              <td>{cell(i[c])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function listOf(body: unknown, key: string): Item[] {
  const b = body as Record<string, unknown>;
  return (Array.isArray(b?.[key]) ? b[key] : Array.isArray(body) ? body : []) as Item[];
}

export function Alerts({ route }: { route: Route }) {
  const load = useLoad(() => api<unknown>('/api/v1/alerts', { status: route.params.get('status') ?? undefined }), [route.params.toString()]);
  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      {load.state === 'error' && load.error instanceof ApiError && load.error.status === 404 ? (
        NOT_YET('Alerts')
      ) : (
        <Loaded
          load={load}
          what="alerts"
          ok={(b) => {
            const items = listOf(b, 'alerts');
            return items.length ? <Table items={items} label="Alerts" /> : <Empty>No open or recent regressions. tracemill opens an alert when a failure mode becomes significantly more frequent than its baseline.</Empty>;
          }}
        />
      )}
    </section>
  );
}

export function Exports() {
  const load = useLoad(() => api<unknown>('/api/v1/exports'), []);
  const runNow = (job: string) =>
    api<unknown>(`/api/v1/exports/${encodeURIComponent(job)}/run`, {}, { method: 'POST' }).then(
      () => location.reload(),
      (e: Error) => alert(`Could not run ${job}: ${e.message}${e instanceof ApiError && e.status === 403 ? ' (running a job needs an admin key)' : ''}`),
    );
  return (
    <section aria-labelledby="exports-title">
      <h1 id="exports-title">Exports</h1>
      {load.state === 'error' && load.error instanceof ApiError && load.error.status === 404 ? (
        NOT_YET('Scheduled exports')
      ) : (
        <Loaded
          load={load}
          what="export jobs"
          ok={(b) => {
            const jobs = listOf(b, 'jobs');
            if (!jobs.length) return <Empty>No export jobs. Add them under jobs: in the settings file named by TRACEMILL_CONFIG (see docs/jobs.md).</Empty>;
            return (
              <>
                <Table items={jobs} label="Export jobs" />
                <h2>Run a job now</h2>
                <ul>
                  {jobs.map((j) => (
                    <li>
                      <button type="button" onClick={() => runNow(String(j.name))}>
                        Run {String(j.name)} now
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            );
          }}
        />
      )}
    </section>
  );
}
