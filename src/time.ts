// Time expressions shared by the query API and the CLI: ISO-8601 instants or durations back from now.
import { z } from 'zod';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The times a query can name: OTLP's nanosecond timestamps as the store keeps them (DateTime64(9)) run from
 * 1970-01-01 to 2262-04-11; spans outside them are refused at ingest, so nothing stored lies outside.
 */
export const EARLIEST = new Date(0);
export const LATEST = new Date(9_223_372_036_854);

const FORMS = 'use ISO-8601 (2026-11-25T10:00:00Z) or a duration ago (30m, 24h, 7d)';

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A time expression as a Date, or why it is not one (`24h`, `7d`, `90m` ago, or an ISO-8601 date/time in range). */
export function readTime(text: string, now = Date.now()): Date | string {
  const s = text.trim();
  let d: Date;
  const rel = RELATIVE.exec(s);
  if (rel) d = new Date(now - Number(rel[1]) * UNITS[rel[2]]);
  else {
    const m = ISO.exec(s);
    if (!m) return `"${s.slice(0, 64)}" is not a time: ${FORMS}`;
    const [, y, mo, da, h = '0', mi = '0', se = '0'] = m;
    if (Number(mo) < 1 || Number(mo) > 12 || Number(da) < 1 || Number(da) > daysIn(Number(y), Number(mo)) || Number(h) > 23 || Number(mi) > 59 || Number(se) > 59) {
      return `"${s}" is not a date on the calendar`;
    }
    d = new Date(/[T ]/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s.replace(' ', 'T') + 'Z' : s.replace(' ', 'T'));
  }
  if (!rel && Number.isNaN(d.getTime())) return `"${s.slice(0, 64)}" is not a time: ${FORMS}`;
  if (Number.isNaN(d.getTime()) || d < EARLIEST || d > LATEST) {
    return `"${s.slice(0, 64)}" is outside the times the store holds (${EARLIEST.toISOString()} to ${LATEST.toISOString()})`;
  }
  return d;
}

/** `24h`, `7d`, `90m` (ago) or an ISO-8601 date/time; undefined when it is neither, or out of range. */
export function parseTimeExpr(text: string, now = Date.now()): Date | undefined {
  const d = readTime(text, now);
  return typeof d === 'string' ? undefined : d;
}

/** A zod string parameter holding a time expression, output as a Date. */
export const TimeParam = z
  .string()
  .transform((s, ctx) => {
    const d = readTime(s);
    if (typeof d === 'string') {
      ctx.addIssue({ code: 'custom', message: d });
      return z.NEVER;
    }
    return d;
  })
  .meta({ description: 'ISO-8601 time, or a duration back from now: 30m, 24h, 7d, 2w', examples: ['24h', '2026-11-25T00:00:00Z'] });

/** A Date as ClickHouse DateTime64(3) text in UTC. */
export function toClickHouseTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
