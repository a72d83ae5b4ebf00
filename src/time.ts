// Time expressions shared by the query API and the CLI: ISO-8601 instants or durations back from now.
import { z } from 'zod';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;

/** `24h`, `7d`, `90m` (ago) or an ISO-8601 date/time; undefined when it is neither. */
export function parseTimeExpr(text: string, now = Date.now()): Date | undefined {
  const s = text.trim();
  const rel = RELATIVE.exec(s);
  if (rel) return new Date(now - Number(rel[1]) * UNITS[rel[2]]);
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return undefined;
  const d = new Date(/[T ]/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s.replace(' ', 'T') + 'Z' : s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A zod string parameter holding a time expression, output as a Date. */
export const TimeParam = z
  .string()
  .transform((s, ctx) => {
    const d = parseTimeExpr(s);
    if (!d) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a time: use ISO-8601 (2026-11-25T10:00:00Z) or a duration ago (30m, 24h, 7d)` });
      return z.NEVER;
    }
    return d;
  })
  .meta({ description: 'ISO-8601 time, or a duration back from now: 30m, 24h, 7d, 2w', examples: ['24h', '2026-11-25T00:00:00Z'] });

/** A Date as ClickHouse DateTime64(3) text in UTC. */
export function toClickHouseTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
