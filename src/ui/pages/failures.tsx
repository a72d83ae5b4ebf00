// Failures: every failure instance with its evidence; a click opens the trace at the failing operation.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { FILTER_KEYS, FilterBar } from '../components/filters.js';
import { Empty, ErrorBox, Loading } from '../components/states.js';
import { time } from '../format.js';
import { href, paramsOf, type Route } from '../route.js';
import type { FailureInstance } from '../types.js';

export function Failures({ route }: { route: Route }) {
  const p = paramsOf(route, FILTER_KEYS);
  const [rows, setRows] = useState<FailureInstance[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'ok' | Error>('loading');
  const load = (after: string | null, append: boolean) => {
    setState('loading');
    api<{ failures: FailureInstance[]; next_cursor: string | null }>('/api/v1/failures', { ...p, limit: '100', cursor: after ?? undefined }).then(
      (b) => {
        setRows((r) => (append ? [...r, ...b.failures] : b.failures));
        setCursor(b.next_cursor);
        setState('ok');
      },
      (e: Error) => setState(e),
    );
  };
  useEffect(() => load(null, false), [route.params.toString()]);
  return (
    <section aria-labelledby="failures-title">
      <h1 id="failures-title">Failures</h1>
      <FilterBar route={route} />
      {state instanceof Error && <ErrorBox error={state} what="failures" />}
      {state === 'ok' && !rows.length && <Empty>No failures match these filters in this range. Widen the range with From (for example 7d).</Empty>}
      {rows.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Mode</th>
              <th scope="col">Severity</th>
              <th scope="col">Tool</th>
              <th scope="col">Model</th>
              <th scope="col">Agent</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr class={`sev-${f.severity}`}>
                <td>
                  <a href={href('trace', f.trace_id, { span: f.span_id })}>{time(f.time)}</a>
                </td>
                <td>
                  <span class="mode">{f.mode}</span>
                </td>
                <td>{f.severity}</td>
                <td>{f.tool}</td>
                <td>{f.model}</td>
                <td>{f.agent}</td>
                <td class="evidence">{f.evidence.length > 240 ? `${f.evidence.slice(0, 240)}…` : f.evidence}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state === 'loading' && <Loading what="failures" />}
      {state === 'ok' && cursor && (
        <button type="button" onClick={() => load(cursor, true)}>
          More failures
        </button>
      )}
    </section>
  );
}
