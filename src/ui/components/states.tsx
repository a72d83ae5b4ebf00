// Loading, empty and error states, and a hook that loads API data for a page.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';

export type Load<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ok'; data: T };

export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Load<T> {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    fn().then(
      (data) => live && setLoad({ state: 'ok', data }),
      (error: Error) => live && setLoad({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return load;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ error, what }: { error: Error; what: string }) {
  const hint =
    error instanceof ApiError && error.status === 404
      ? ''
      : error instanceof ApiError && error.status >= 500
        ? ' The service could not answer; try again in a moment.'
        : '';
  return (
    <div class="state error" role="alert">
      <strong>Could not load {what}.</strong> {error.message}
      {hint}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state empty">{children}</div>;
}

/** Renders `ok` with the data, or the loading/error state. */
export function Loaded<T>({ load, what, ok }: { load: Load<T>; what: string; ok: (data: T) => ComponentChildren }) {
  if (load.state === 'loading') return <Loading what={what} />;
  if (load.state === 'error') return <ErrorBox error={load.error} what={what} />;
  return <>{ok(load.data)}</>;
}

export const NOT_YET = (what: string) => (
  <Empty>
    {what} are not available from this tracemill service (its API has no such endpoint yet). Upgrade tracemill to use this page.
  </Empty>
);
