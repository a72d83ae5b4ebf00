// The filter bar shared by the list pages: each field is a URL parameter, so a filtered view is a link.
import { FAILURE_MODES } from '../../model/failure.js';
import { navigate, type Route } from '../route.js';

export const FILTER_KEYS = ['from', 'to', 'service', 'agent', 'model', 'tool', 'mode'] as const;


export function FilterBar({ route, keys = FILTER_KEYS }: { route: Route; keys?: readonly string[] }) {
  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const params: Record<string, string | undefined> = {};
    for (const k of keys) params[k] = (form.get(k) as string) || undefined;
    navigate(route.page, route.arg, params);
  };
  const v = (k: string) => route.params.get(k) ?? '';
  return (
    <form class="filters" onSubmit={submit} aria-label="Filters">
      {keys.includes('from') && (
        <label>
          From
          <input name="from" value={v('from')} placeholder="24h" size={12} />
        </label>
      )}
      {keys.includes('to') && (
        <label>
          To
          <input name="to" value={v('to')} placeholder="now" size={12} />
        </label>
      )}
      {['service', 'agent', 'model', 'tool'].filter((k) => keys.includes(k)).map((k) => (
        <label>
          {k[0].toUpperCase() + k.slice(1)}
          <input name={k} value={v(k)} size={14} />
        </label>
      ))}
      {keys.includes('mode') && (
        <label>
          Mode
          <select name="mode" value={v('mode')}>
            <option value="">any</option>
            {FAILURE_MODES.map((m) => (
              <option value={m}>{m}</option>
            ))}
          </select>
        </label>
      )}
      <button type="submit">Apply</button>
    </form>
  );
}
