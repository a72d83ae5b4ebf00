// Every page's state lives in the URL hash (#/page/arg?key=value), so any view is a link.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  page: string;
  arg: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path, query = ''] = h.split('?');
  const [page = 'overview', ...rest] = path.split('/');
  return { page: page || 'overview', arg: decodeURIComponent(rest.join('/')), params: new URLSearchParams(query) };
}

export function href(page: string, arg = '', params: Record<string, string | undefined> = {}): string {
  const qs = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1])).toString();
  return `#/${page}${arg ? `/${encodeURIComponent(arg)}` : ''}${qs ? `?${qs}` : ''}`;
}

export function navigate(page: string, arg = '', params: Record<string, string | undefined> = {}): void {
  location.hash = href(page, arg, params);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** The page's params as a plain object, for API calls and links. */
export function paramsOf(route: Route, keys: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((k) => [k, route.params.get(k) ?? undefined]));
}
