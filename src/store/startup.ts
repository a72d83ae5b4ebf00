// Starting against a ClickHouse server that is not there yet (or went away during migrations): the service
// starts anyway, answers exports with 503 / UNAVAILABLE and /readyz with 503, and applies the migrations
// as soon as the server answers. Embedded storage has no such state: it is opened in-process or not at all.
import type { Store } from './clickhouse.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const UNREACHABLE_TEXT = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|socket hang up|Timeout error/;

/** Whether `e` says the ClickHouse server could not be reached (as opposed to refusing what was sent). */
export function isStoreUnreachable(store: Store, e: unknown): boolean {
  if (store.mode !== 'server') return false;
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  return UNREACHABLE_CODES.has(err.code ?? '') || UNREACHABLE_CODES.has(err.cause?.code ?? '') || UNREACHABLE_TEXT.test(err.message ?? '');
}

export interface WaitForStoreOptions {
  /** Tries to get the store ready (migrations); throws while it cannot. */
  attempt(): Promise<void>;
  /** How long to wait between attempts (ms); doubles up to maxDelayMs. */
  delayMs?: number;
  maxDelayMs?: number;
  onRetry?(err: Error, nextInMs: number): void;
}

/** Retries `attempt` until it succeeds or `stop` is called; resolves true once it succeeded. */
export function waitForStore(opts: WaitForStoreOptions): { done: Promise<boolean>; stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const done = (async () => {
    let delay = opts.delayMs ?? 1000;
    while (!stopped) {
      try {
        await opts.attempt();
        return true;
      } catch (e) {
        if (stopped) break;
        opts.onRetry?.(e as Error, delay);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, delay);
      });
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 10_000);
    }
    return false;
  })();
  return {
    done,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}
