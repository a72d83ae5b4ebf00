// Traces: agent runs, newest first, with their calls, errors and failure modes.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { FilterBar } from '../components/filters.js';
import { Empty, ErrorBox, Loading } from '../components/states.js';
import { int, ms, time } from '../format.js';
import { href, paramsOf, type Route } from '../route.js';
import type { TraceSummary } from '../types.js';

const KEYS = ['from', 'to', 'service', 'agent', 'model', 'tool', 'mode'] as const;

export function TraceList({ traces }: { traces: TraceSummary[] }) {
  return (
    <table class="list">
      <thead>
        <tr>
          <th scope="col">Start</th>
          <th scope="col">Agent</th>
          <th scope="col">Service</th>
          <th scope="col">Duration</th>
          <th scope="col">LLM calls</th>
          <th scope="col">Tool calls</th>
          <th scope="col">Errors</th>
          <th scope="col">Failure modes</th>
        </tr>
      </thead>
      <tbody>
        {traces.map((t) => (
          <tr>
            <td>
              <a href={href('trace', t.trace_id)}>{time(t.start)}</a>
            </td>
            <td>{t.agent || t.root_name}</td>
            <td>{t.service}</td>
            <td class="num">{ms(t.duration_ms)}</td>
            <td class="num">{int(t.llm_calls)}</td>
            <td class="num">{int(t.tool_calls)}</td>
            <td class="num">{int(t.errors)}</td>
            <td>
              {t.failure_modes.map((m) => (
                <span class="mode">{m}</span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Traces({ route }: { route: Route }) {
  const p = { ...paramsOf(route, KEYS), status: route.params.get('status') ?? undefined };
  const [rows, setRows] = useState<TraceSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'ok' | Error>('loading');
  const load = (after: string | null, append: boolean) => {
    setState('loading');
    api<{ traces: TraceSummary[]; next_cursor: string | null }>('/api/v1/traces', { ...p, limit: '50', cursor: after ?? undefined }).then(
      (b) => {
        setRows((r) => (append ? [...r, ...b.traces] : b.traces));
        setCursor(b.next_cursor);
        setState('ok');
      },
      (e: Error) => setState(e),
    );
  };
  useEffect(() => load(null, false), [route.params.toString()]);
  return (
    <section aria-labelledby="traces-title">
      <h1 id="traces-title">Traces</h1>
      <FilterBar route={route} keys={KEYS} />
      {state instanceof Error && <ErrorBox error={state} what="traces" />}
      {state === 'ok' && !rows.length && <Empty>No agent runs in this range. Point an agent at this service, or widen the range with From (for example 7d).</Empty>}
      {rows.length > 0 && <TraceList traces={rows} />}
      {state === 'loading' && <Loading what="traces" />}
      {state === 'ok' && cursor && (
        <button type="button" onClick={() => load(cursor, true)}>
          More traces
        </button>
      )}
    </section>
  );
}
