// The dashboard's only way to data: the public query API, with the key kept in this tab's session storage
// (never in a URL). A 401/403 asks for a key once and retries.
const KEY = 'tracemill.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

/** Listeners told when the API asks for a key (the app shows the key form). */
const keyWanted = new Set<(why: string) => void>();
export function onKeyWanted(fn: (why: string) => void): () => void {
  keyWanted.add(fn);
  return () => keyWanted.delete(fn);
}

export async function api<T>(path: string, params: Record<string, string | undefined> = {}, init: RequestInit = {}): Promise<T> {
  const qs = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1])).toString();
  const key = apiKey();
  const res = await fetch(`${path}${qs ? `?${qs}` : ''}`, {
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers ?? {}) },
  });
  const text = await res.text();
  let body: { message?: string; error?: string } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const message = body?.message ?? body?.error ?? `${res.status} ${res.statusText}`;
    if (res.status === 401 || res.status === 403) for (const fn of keyWanted) fn(message);
    throw new ApiError(res.status, message);
  }
  return body as T;
}
