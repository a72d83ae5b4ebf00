// Reaching a running `tracemill serve` from the CLI, for commands that cannot open its data directory.
import type { Config } from '../config.js';
import { DataDirLockedError, type Store, openStore } from '../store/clickhouse.js';

export function serviceUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return process.env.TRACEMILL_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.httpPort}`;
}

export class ServiceUnreachableError extends Error {
  override name = 'ServiceUnreachableError';
}

/** Calls the running service's API; the error says what to do when it cannot be reached. */
export async function callService<T>(config: Config, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return JSON.parse(await callServiceText(config, method, path, body)) as T;
}

/** callService, answering the response body as text (reports in Markdown or HTML). */
export async function callServiceText(config: Config, method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> {
  const url = `${serviceUrl(config)}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        // An admin-scoped key of the project to act on, when the service requires keys.
        ...(process.env.TRACEMILL_API_KEY ? { authorization: `Bearer ${process.env.TRACEMILL_API_KEY}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ServiceUnreachableError(
      `the data directory is held by another process, and no tracemill service answers at ${url} (${(e as Error).message}). ` +
        'Set TRACEMILL_URL to the running service, or stop the other process.',
    );
  }
  const text = await res.text();
  if (!res.ok) {
    const hint =
      res.status === 401 || res.status === 403
        ? process.env.TRACEMILL_API_KEY
          ? ' (TRACEMILL_API_KEY must be a key with the admin scope of the project to act on)'
          : ' (set TRACEMILL_API_KEY to a key with the admin scope)'
        : '';
    throw new Error(`${method} ${url} answered ${res.status}: ${text}${hint}`);
  }
  return text;
}

/**
 * Runs `local` on the store when this process can open it, or `remote` through the running service when
 * `serve` holds the embedded data directory (one process per directory). The store is closed after.
 */
export async function withStoreOrService<T>(config: Config, local: (store: Store) => Promise<T>, remote: () => Promise<T>): Promise<T> {
  let store: Store;
  try {
    store = openStore(config);
  } catch (e) {
    if (!(e instanceof DataDirLockedError)) throw e;
    return remote();
  }
  try {
    return await local(store);
  } finally {
    await store.close();
  }
}
