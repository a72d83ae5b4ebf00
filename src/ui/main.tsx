// The tracemill dashboard: a single page on the public query API, its state in the URL hash.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiKey, onKeyWanted, setApiKey } from './api.js';
import { Compare } from './pages/compare.js';
import { Failures } from './pages/failures.js';
import { Alerts, Exports } from './pages/generic.js';
import { Overview } from './pages/overview.js';
import { Session } from './pages/session.js';
import { Trace } from './pages/trace.js';
import { Traces } from './pages/traces.js';
import { href, useRoute } from './route.js';

const PAGES: Record<string, { title: string; nav: boolean }> = {
  overview: { title: 'Overview', nav: true },
  failures: { title: 'Failures', nav: true },
  traces: { title: 'Traces', nav: true },
  compare: { title: 'Compare', nav: true },
  alerts: { title: 'Alerts', nav: true },
  exports: { title: 'Exports', nav: true },
  trace: { title: 'Trace', nav: false },
  session: { title: 'Session', nav: false },
};

function KeyForm({ why, onDone }: { why: string; onDone: () => void }) {
  const submit = (e: Event) => {
    e.preventDefault();
    const key = String(new FormData(e.currentTarget as HTMLFormElement).get('key') ?? '').trim();
    setApiKey(key || null);
    onDone();
  };
  return (
    <form class="keyform" onSubmit={submit} aria-label="API key">
      <p>{why}</p>
      <label>
        API key (read scope; kept in this tab only)
        <input name="key" type="password" autoComplete="off" size={40} />
      </label>
      <button type="submit">Use key</button>
    </form>
  );
}

function App() {
  const route = useRoute();
  const [keyWhy, setKeyWhy] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => onKeyWanted((why) => setKeyWhy(`${why}. This tracemill needs an API key.`)), []);
  useEffect(() => {
    document.title = `${PAGES[route.page]?.title ?? 'Not found'} · tracemill`;
  }, [route.page]);
  const page = (() => {
    switch (route.page) {
      case 'overview':
        return <Overview route={route} />;
      case 'failures':
        return <Failures route={route} />;
      case 'traces':
        return <Traces route={route} />;
      case 'trace':
        return <Trace route={route} />;
      case 'session':
        return <Session route={route} />;
      case 'compare':
        return <Compare route={route} />;
      case 'alerts':
        return <Alerts route={route} />;
      case 'exports':
        return <Exports />;
      default:
        return (
          <p class="state">
            No page “{route.page}”. Go to the <a href={href('overview')}>overview</a>.
          </p>
        );
    }
  })();
  return (
    <>
      <header>
        <a class="brand" href={href('overview')}>
          tracemill
        </a>
        <nav aria-label="Pages">
          {Object.entries(PAGES)
            .filter(([, p]) => p.nav)
            .map(([k, p]) => (
              <a href={href(k)} aria-current={route.page === k ? 'page' : undefined}>
                {p.title}
              </a>
            ))}
        </nav>
        {apiKey() && (
          <button
            type="button"
            class="link"
            onClick={() => {
              setApiKey(null);
              setGeneration((g) => g + 1);
            }}
          >
            Forget key
          </button>
        )}
      </header>
      <main key={generation}>
        {keyWhy && (
          <KeyForm
            why={keyWhy}
            onDone={() => {
              setKeyWhy(null);
              setGeneration((g) => g + 1);
            }}
          />
        )}
        {page}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
