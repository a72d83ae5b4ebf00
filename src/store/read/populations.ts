// Counts of runs and of runs with each failure mode, for a population of runs given by filters: the figures
// /api/v1/failures/compare and the regression detector (src/alerts/loop.ts) test. The unit is the run (a
// trace): runs are independent of each other, the calls inside one run are not.
//
// Run-level attributes (the harness, or any resource or span attribute a population names) are read from
// the raw spans and log records of the run: the first non-empty value, resource attributes before span and
// log attributes. So TRACEMILL_HARNESS_ATTRIBUTES applies to data already stored.
import { toClickHouseTime } from '../../time.js';
import type { Store } from '../clickhouse.js';

export interface TimeRange {
  from: Date;
  to: Date;
}

export interface Population {
  /** Runs with operations starting in any of these ranges (only those operations are counted). */
  ranges: TimeRange[];
  service?: string;
  agent?: string;
  /** Runs that used this tool; their failures are counted only where they name this tool. */
  tool?: string;
  /** Runs that called this model. */
  model?: string;
  /** The run's harness (TRACEMILL_HARNESS_ATTRIBUTES values joined by '@'). */
  harness?: string;
  /** Run-level attribute values: resource or span/log attribute name -> value. */
  attributes?: Record<string, string>;
}

export type CountDimension = 'tool' | 'model' | 'harness';

/** One population's runs for a dimension value ('all' / '' for the population itself). */
export interface RunsRow {
  dim: 'all' | CountDimension;
  value: string;
  runs: number;
  /** Earliest operation of these runs (ms since the epoch), e.g. when a harness version first appears. */
  first_seen: number;
}

export interface FailureRow {
  mode: string;
  dim: 'all' | CountDimension;
  value: string;
  /** Runs with at least one failure of the mode. */
  affected: number;
  /** Failure instances. */
  failures: number;
  /** A few trace ids of affected runs. */
  examples: string[];
}

export interface PopulationCounts {
  runs: RunsRow[];
  failures: FailureRow[];
}

const DAY = 86_400_000;
const MODEL = "if(response_model != '', response_model, request_model)";

/**
 * Per trace: the harness and the requested attributes, from spans and log records in the days of `ranges`.
 * Every value is a bound parameter; `p` prefixes their names.
 */
export function runAttributesSql(
  harnessAttributes: readonly string[],
  extra: readonly string[],
  params: Record<string, unknown>,
  dayFrom: string,
  dayTo: string,
  p = 'ra',
  /** An extra condition on trace_id (e.g. `trace_id IN (SELECT trace_id FROM ops)`): the trace id bloom index skips the rest. */
  traces = '',
): string {
  const keys = [...harnessAttributes, ...extra];
  keys.forEach((k, i) => (params[`${p}k${i}`] = k));
  params[`${p}from`] = dayFrom;
  params[`${p}to`] = dayTo;
  const inner = keys.map((_, i) => `anyIf(r[{${p}k${i}:String}], r[{${p}k${i}:String}] != '') AS r${i}, anyIf(s[{${p}k${i}:String}], s[{${p}k${i}:String}] != '') AS s${i}`);
  const value = (i: number) => `if(r${i} != '', r${i}, s${i})`;
  const harness = `arrayStringConcat(arrayFilter(x -> x != '', [${harnessAttributes.map((_, i) => value(i)).join(', ')}]), '@')`;
  const days = (col: string) => `toDate(${col}) >= toDate({${p}from:String}) - 1 AND toDate(${col}) <= toDate({${p}to:String}) + 1`;
  return `SELECT trace_id, ${harness} AS harness${extra.map((_, j) => `, ${value(harnessAttributes.length + j)} AS attr${j}`).join('')}
    FROM (
      SELECT trace_id, ${inner.join(', ')}
        FROM (
          SELECT trace_id, resource_attributes AS r, attributes AS s FROM spans
           WHERE project_id = {project:String} AND ${days('start_time')}${traces ? ` AND ${traces}` : ''}
          UNION ALL
          SELECT trace_id, resource_attributes AS r, attributes AS s FROM logs
           WHERE project_id = {project:String} AND ${days('timestamp')} AND trace_id != ''${traces ? ` AND ${traces}` : ''}
        )
       GROUP BY trace_id
    )`;
}

function rangesSql(ranges: TimeRange[], params: Record<string, unknown>): { sql: string; dayFrom: string; dayTo: string } {
  const conds = ranges.map((r, i) => {
    params[`f${i}`] = toClickHouseTime(r.from);
    params[`t${i}`] = toClickHouseTime(r.to);
    return `(start_time >= {f${i}:DateTime64(3)} AND start_time < {t${i}:DateTime64(3)})`;
  });
  const from = Math.min(...ranges.map((r) => r.from.getTime()));
  const to = Math.max(...ranges.map((r) => r.to.getTime()));
  const dayFrom = new Date(from).toISOString().slice(0, 10);
  const dayTo = new Date(to).toISOString().slice(0, 10);
  params.dayFrom = dayFrom;
  params.dayTo = dayTo;
  return { sql: `day >= toDate({dayFrom:String}) - 1 AND day <= toDate({dayTo:String}) AND (${conds.join(' OR ')})`, dayFrom, dayTo };
}

export interface CountOptions {
  harnessAttributes: readonly string[];
  /** Breakdowns besides the population as a whole. */
  dims: readonly CountDimension[];
  /** Example trace ids per row. */
  examples?: number;
  /** Only these modes (all when unset). */
  modes?: readonly string[];
}

/** Runs and failures of a population, as a whole and per tool / model / harness. */
export async function countPopulation(store: Store, project: string, pop: Population, opts: CountOptions): Promise<PopulationCounts> {
  const [counts] = await countPopulations(store, project, [pop], opts);
  return counts;
}

const sameRanges = (a: TimeRange[], b: TimeRange[]) => a.length === b.length && a.every((r, i) => r.from.getTime() === b[i].from.getTime() && r.to.getTime() === b[i].to.getTime());

/**
 * Runs and failures of several populations. Populations over the same time ranges, service and agent (the
 * conditions on operations) are counted in one scan; the engine runs one parameterized query at a time, so two
 * scans take twice as long as one (compare of two models: bench/ui.ts).
 */
export async function countPopulations(store: Store, project: string, pops: Population[], opts: CountOptions): Promise<PopulationCounts[]> {
  const first = pops[0];
  if (pops.length > 1 && !pops.every((p) => sameRanges(p.ranges, first.ranges) && p.service === first.service && p.agent === first.agent)) {
    return Promise.all(pops.map((p) => countPopulations(store, project, [p], opts).then((c) => c[0])));
  }
  if (!first || first.ranges.length === 0) return pops.map(() => ({ runs: [], failures: [] }));
  const params: Record<string, unknown> = { project };
  const range = rangesSql(first.ranges, params);
  const opConds = ['project_id = {project:String}', range.sql];
  if (first.service !== undefined) {
    opConds.push('service_name = {service:String}');
    params.service = first.service;
  }
  if (first.agent !== undefined) {
    opConds.push('agent_name = {agent:String}');
    params.agent = first.agent;
  }
  const attrNames = [...new Set(pops.flatMap((p) => Object.keys(p.attributes ?? {})))];
  const needAttrs = opts.dims.includes('harness') || pops.some((p) => p.harness !== undefined) || attrNames.length > 0;
  // Per population (side s): the conditions on a run, and on a failure it counts.
  const sides = pops.map((pop, s) => {
    const runConds: string[] = [];
    if (pop.tool !== undefined) {
      runConds.push(`has(tools, {s${s}tool:String})`);
      params[`s${s}tool`] = pop.tool;
    }
    if (pop.model !== undefined) {
      runConds.push(`has(models, {s${s}model:String})`);
      params[`s${s}model`] = pop.model;
    }
    if (pop.harness !== undefined) {
      runConds.push(`harness = {s${s}harness:String}`);
      params[`s${s}harness`] = pop.harness;
    }
    for (const [k, v] of Object.entries(pop.attributes ?? {})) {
      const j = attrNames.indexOf(k);
      runConds.push(`attr${j} = {s${s}av${j}:String}`);
      params[`s${s}av${j}`] = v;
    }
    const modeCond: string[] = ["f.1 != ''"];
    if (opts.modes?.length) modeCond.push('has({modes:Array(String)}, f.1)');
    if (pop.tool !== undefined) modeCond.push(`f.2 = {s${s}tool:String}`);
    return { run: runConds.length ? runConds.join(' AND ') : '1', failure: modeCond.join(' AND ') };
  });
  if (opts.modes?.length) params.modes = opts.modes;
  const attrs = needAttrs ? runAttributesSql(opts.harnessAttributes, attrNames, params, range.dayFrom, range.dayTo, 'ra', 'trace_id IN (SELECT trace_id FROM ops)') : '';
  const examples = Math.max(0, Math.min(50, opts.examples ?? 5));
  params.examples = examples;

  // ops: the operations in range; runs: one row per trace with what it used, kept when any population has it.
  const withSql = `WITH
    ops AS (
      SELECT trace_id, start_time, kind, tool_name, ${MODEL} AS op_model, failure_modes, failure_tools
        FROM operations FINAL WHERE ${opConds.join(' AND ')}
    ),
    runs AS (
      SELECT * FROM (
        SELECT trace_id, min(start_time) AS start,
               arrayDistinct(arrayFilter(x -> x != '', arrayConcat(groupArrayIf(toString(tool_name), kind = 'tool'), arrayFlatten(groupArray(arrayMap(x -> toString(x), failure_tools)))))) AS tools,
               arrayFilter(x -> x != '', groupUniqArray(toString(op_model))) AS models,
               groupArrayArray(arrayZip(arrayMap(x -> toString(x), failure_modes), arrayMap(x -> toString(x), failure_tools))) AS fails
          FROM ops GROUP BY trace_id
      ) AS g ${needAttrs ? `LEFT JOIN (${attrs}) AS a USING trace_id` : ''}
      ${sides.every((x) => x.run !== '1') ? `WHERE ${sides.map((x) => `(${x.run})`).join(' OR ')}` : ''}
    )`;
  const dimParts = (tool: string, models: string) => {
    const parts = ["[tuple('all', '')]"];
    if (opts.dims.includes('tool')) parts.push(tool);
    if (opts.dims.includes('model')) parts.push(`arrayMap(x -> tuple('model', x), ${models})`);
    if (opts.dims.includes('harness')) parts.push("[tuple('harness', toString(harness))]");
    return `arrayConcat(${parts.join(', ')})`;
  };

  // One scan: each run stands, for each population it belongs to, for itself under each of its dimension values
  // ('run' items) and for each of its failures (mode, tool) under the failure's dimension values ('failure'
  // items). A query for the runs and another joining the failing operations to the runs read the operations
  // twice (each computes ops).
  const items = `arrayConcat(${sides
    .map(
      (side, s) => `if(${side.run}, arrayConcat(
      arrayMap(d -> tuple(toUInt8(${s}), 'run', '', d.1, d.2), ${dimParts("arrayMap(x -> tuple('tool', x), tools)", 'models')}),
      arrayFlatten(arrayMap(f -> arrayMap(d -> tuple(toUInt8(${s}), 'failure', f.1, d.1, d.2), ${dimParts("if(f.2 != '', [tuple('tool', f.2)], [])", 'models')}),
                            arrayFilter(f -> ${side.failure}, fails)))), [])`,
    )
    .join(', ')})`;
  const rows = await store.query<{ side: number; what: string; mode: string; dim: string; value: string; n: string; affected: string; first_seen: string; examples: string[] }>(
    `${withSql}
     SELECT it.1 AS side, it.2 AS what, it.3 AS mode, it.4 AS dim, it.5 AS value, count() AS n, uniqExactIf(trace_id, what = 'failure') AS affected,
            toString(toUnixTimestamp64Milli(min(start))) AS first_seen,
            ${examples > 0 ? "groupUniqArrayIf({examples:UInt32})(trace_id, what = 'failure')" : "CAST([], 'Array(String)')"} AS examples
       FROM runs ARRAY JOIN ${items} AS it
      GROUP BY side, what, mode, dim, value`,
    params,
    { do_not_merge_across_partitions_select_final: 1, joined_subquery_requires_alias: 0 },
  );
  return pops.map((_, s) => {
    const own = rows.filter((r) => Number(r.side) === s);
    return {
      runs: own.filter((r) => r.what === 'run').map((r) => ({ dim: r.dim as RunsRow['dim'], value: r.value, runs: Number(r.n), first_seen: Number(r.first_seen) })),
      failures: own
        .filter((r) => r.what === 'failure')
        .map((r) => ({ mode: r.mode, dim: r.dim as FailureRow['dim'], value: r.value, affected: Number(r.affected), failures: Number(r.n), examples: r.examples })),
    };
  });
}

/** The ranges of the same time of day on each of `days` days before `recent`. */
export function sameWindowPreviousDays(recent: TimeRange, days: number): TimeRange[] {
  return Array.from({ length: days }, (_, i) => ({ from: new Date(recent.from.getTime() - (i + 1) * DAY), to: new Date(recent.to.getTime() - (i + 1) * DAY) }));
}
