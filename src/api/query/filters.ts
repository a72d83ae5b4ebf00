// Query filters -> a WHERE clause over the operations table. Every value is a bound parameter
// ({name:Type}); only fixed column names and operators are written into the SQL text.
import type { ClickHouseSettings } from '@clickhouse/client';
import { EARLIEST, toClickHouseTime } from '../../time.js';
import { badRequest } from './errors.js';
import type { Filters } from './schemas.js';

export interface Where {
  sql: string;
  params: Record<string, unknown>;
}

const DAY_MS = 86_400_000;

export interface Range {
  from: Date;
  to: Date;
}

/** The range asked for (default: the 24 hours before `to`); a 400 naming `from` when it is empty. */
export function rangeOf(f: Pick<Filters, 'from' | 'to'>, now = Date.now()): Range {
  const to = f.to ?? new Date(now);
  const from = f.from ?? new Date(Math.max(EARLIEST.getTime(), to.getTime() - DAY_MS));
  if (from >= to) throw badRequest('from', `${from.toISOString()} is not before to (${to.toISOString()}): the range is empty`);
  return { from, to };
}

/** A day as ClickHouse Date32 text (Date32, not Date: the day before 1970-01-01 must not wrap around). */
function dayText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The period of the same length just before `r` (compare=previous). */
export function previousRange(r: Range): Range {
  const len = r.to.getTime() - r.from.getTime();
  return { from: new Date(r.from.getTime() - len), to: r.from };
}

/**
 * Conditions on operations for the project, the time range and the filters. `withMode` false leaves the
 * failure mode out (callers that ARRAY JOIN the modes filter the joined value instead).
 */
export function operationsWhere(project: string, r: Range, f: Filters, withMode = true): Where {
  const params: Record<string, unknown> = {
    project,
    from: toClickHouseTime(r.from),
    to: toClickHouseTime(r.to),
    fromDay: dayText(r.from.getTime() - DAY_MS),
    toDay: dayText(r.to.getTime()),
  };
  // `day` is the partition and sort prefix (an operation's first day): it prunes, start_time decides.
  const and = [
    'project_id = {project:String}',
    'day >= toDate32({fromDay:String})',
    'day <= toDate32({toDay:String})',
    'start_time >= {from:DateTime64(3)}',
    'start_time < {to:DateTime64(3)}',
  ];
  if (f.service !== undefined) {
    and.push('service_name = {service:String}');
    params.service = f.service;
  }
  if (f.agent !== undefined) {
    and.push('agent_name = {agent:String}');
    params.agent = f.agent;
  }
  if (f.model !== undefined) {
    and.push('(request_model = {model:String} OR response_model = {model:String})');
    params.model = f.model;
  }
  if (f.tool !== undefined) {
    and.push('tool_name = {tool:String}');
    params.tool = f.tool;
  }
  if (withMode && f.mode !== undefined) {
    and.push('has(failure_modes, {mode:String})');
    params.mode = f.mode;
  }
  return { sql: and.join(' AND '), params };
}

/** Partitions are days and a rebuild never moves an operation across them: FINAL can merge per partition. */
export const FINAL_SETTINGS: ClickHouseSettings = { do_not_merge_across_partitions_select_final: 1 };

/** Operations that count as calls an agent made (the failure-rate denominator). */
export const IS_CALL = "kind IN ('llm', 'tool', 'subagent')";

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** What each position of a cursor may hold: exactly what encodeCursor was given for a row. */
export const CURSOR_PARTS = {
  /** A start time in nanoseconds, as decimal text (Int64). */
  nanos: (x: unknown) => typeof x === 'string' && /^\d{1,19}$/.test(x) && BigInt(x) <= 9223372036854775807n,
  traceId: (x: unknown) => typeof x === 'string' && /^[0-9a-f]{32}$/.test(x),
  spanId: (x: unknown) => typeof x === 'string' && /^[0-9a-f]{16}$/.test(x),
  /** A 1-based array index (UInt32). */
  index: (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 0xffffffff,
};

/** The cursor's parts, or a 400 naming `cursor` when it is not one this API returned. */
export function decodeCursor(cursor: string, parts: ((x: unknown) => boolean)[]): (string | number)[] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== parts.length || !v.every((x, i) => parts[i](x))) throw badRequest('cursor', 'is not a cursor this API returned (pass next_cursor as it came)');
  return v as (string | number)[];
}
