// How the MCP tools reach the query API: a GET with query parameters, answered with a status and JSON.
// `tracemill mcp` (stdio) calls a running service over HTTP; the service's own /mcp endpoint injects the
// request into itself with the caller's credentials, so scopes and project isolation are the API's.

export interface ApiAnswer {
  status: number;
  /** The JSON answer; for a non-JSON answer (a Markdown report), `{ error: 'bad_response' }`. */
  body: unknown;
  /** The answer as sent. */
  text: string;
}

export type ApiCaller = (path: string, query: Record<string, string>) => Promise<ApiAnswer>;

/** Tool arguments as query parameters: lists comma-joined, everything else as text. */
export function toQuery(args: Record<string, unknown>): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined || v === null) continue;
    q[k] = Array.isArray(v) ? v.map(String).join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return q;
}

/** A caller for a service at `baseUrl` (e.g. http://127.0.0.1:4318), with an optional API key. */
export function httpCaller(baseUrl: string, apiKey?: string): ApiCaller {
  const base = baseUrl.replace(/\/+$/, '');
  return async (path, query) => {
    const qs = new URLSearchParams(query).toString();
    const url = `${base}${path}${qs ? `?${qs}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
    } catch (e) {
      const message = `no tracemill service answers at ${base} (${(e as Error).message}); start it with \`npm start\` or pass --url`;
      return { status: 503, body: { error: 'unreachable', message }, text: message };
    }
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text), text };
    } catch {
      return { status: res.status, body: { error: 'bad_response', message: text.slice(0, 500) }, text };
    }
  };
}
