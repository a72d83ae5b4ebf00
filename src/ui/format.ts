// Numbers and times as people read them.
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
export const int = (x: number) => x.toLocaleString('en-US');
export const usd = (x: number | null) => (x == null ? 'not reported' : `$${x.toFixed(x < 1 ? 4 : 2)}`);
export const ms = (x: number) => (x < 1000 ? `${Math.round(x)} ms` : `${(x / 1000).toFixed(x < 10_000 ? 2 : 1)} s`);
export const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z?$|Z$/, '').slice(0, 19);
export function signed(x: number, f: (v: number) => string = String): string {
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${f(Math.abs(x))}`;
}
/** Seconds since the epoch of a `day` (YYYY-MM-DD) or `hour` (ISO) bucket. */
export const bucketTime = (s: string) => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s) / 1000;
