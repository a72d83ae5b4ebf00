// Per-caller request rate limit (a token bucket per API key, or per client address when keys are off).
import { TracemillError } from '../model/errors.js';

export class RateLimitedError extends TracemillError {
  override name = 'RateLimitedError';
  constructor(message: string) {
    super('rate_limited', message);
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  private readonly burst: number;

  /** `rps` requests per second on average, bursts up to twice that; 0 disables the limit. */
  constructor(private readonly rps: number) {
    this.burst = Math.max(1, rps * 2);
  }

  /** Takes one request from `caller`'s bucket; throws RateLimitedError when it is empty. */
  take(caller: string, now = Date.now()): void {
    if (this.rps <= 0) return;
    let b = this.buckets.get(caller);
    if (!b) {
      if (this.buckets.size > 100_000) this.prune(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(caller, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rps);
    b.at = now;
    if (b.tokens < 1) throw new RateLimitedError(`more than ${this.rps} requests per second from this ${caller.startsWith('ip:') ? 'address' : 'API key'} (TRACEMILL_RATE_LIMIT_RPS)`);
    b.tokens -= 1;
  }

  /** Full buckets carry no state worth keeping. */
  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * this.rps >= this.burst) this.buckets.delete(k);
  }
}
