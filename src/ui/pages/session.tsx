// Session: the runs of one conversation in order, with compactions marked between them.
import { api } from '../api.js';
import { Loaded, useLoad } from '../components/states.js';
import { href, type Route } from '../route.js';
import type { TraceSummary } from '../types.js';
import { TraceList } from './traces.js';

export function Session({ route }: { route: Route }) {
  const load = useLoad(() => api<{ session_id: string; traces: TraceSummary[] }>(`/api/v1/sessions/${encodeURIComponent(route.arg)}`), [route.arg]);
  return (
    <section aria-labelledby="session-title">
      <h1 id="session-title">
        Session <code>{route.arg}</code>
      </h1>
      <Loaded
        load={load}
        what="the session"
        ok={(s) => (
          <>
            <p>
              {s.traces.length} runs, in order.{' '}
              {s.traces.some((t) => t.failure_modes.includes('compaction')) ? 'Runs marked “compaction” compacted the context; the runs after them start from a summary.' : ''}
            </p>
            <ol class="session">
              {s.traces.map((t) => (
                <li>
                  {t.failure_modes.includes('compaction') && <div class="compaction-marker">compaction</div>}
                  <a href={href('trace', t.trace_id)}>{t.agent || t.root_name}</a> — {t.llm_calls} LLM calls, {t.tool_calls} tool calls, {t.errors} errors
                  {t.failure_modes.length ? ` · ${t.failure_modes.join(', ')}` : ''}
                </li>
              ))}
            </ol>
            <TraceList traces={s.traces} />
          </>
        )}
      />
    </section>
  );
}
