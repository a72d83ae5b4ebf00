// Query filters -> a WHERE clause over the operations table. Every value is a bound parameter
// ({name:Type}); only fixed column names and operators are written into the SQL text.
import type { ClickHouseSettings } from '@clickhouse/client';
import { toClickHouseTime } from '../../time.js';
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

export function rangeOf(f: Pick<Filters, 'from' | 'to'>, now = Date.now()): Range {
  const to = f.to ?? new Date(now);
  const from = f.from ?? new Date(to.getTime() - DAY_MS);
  return { from, to };
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
    fromDay: r.from.toISOString().slice(0, 10),
    toDay: r.to.toISOString().slice(0, 10),
  };
  // `day` is the partition and sort prefix (an operation's first day): it prunes, start_time decides.
  const and = [
    'project_id = {project:String}',
    'day >= toDate({fromDay:String}) - 1',
    'day <= toDate({toDay:String})',
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

export function decodeCursor(cursor: string, types: ('string' | 'number')[]): (string | number)[] | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== types.length) return undefined;
    return v.every((x, i) => typeof x === types[i]) ? (v as (string | number)[]) : undefined;
  } catch {
    return undefined;
  }
}
