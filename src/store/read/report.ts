// The figures of a failure report for one period: totals, a timeline, breakdowns and example failures,
// read from the normalized operations (FINAL: the latest rebuild of each). Builders in
// src/exporters/reports turn two periods of these into a report.
import { FINAL_SETTINGS, operationsWhere, type Range } from '../../api/query/filters.js';
import type { Filters } from '../../api/query/schemas.js';
import type { Store } from '../clickhouse.js';
import { runAttributesSql } from './populations.js';

export type ReportFilters = Pick<Filters, 'service' | 'agent' | 'model' | 'tool'>;

export interface PeriodTotals {
  runs: number;
  failed_runs: number;
  llm_calls: number;
  tool_calls: number;
  failures: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/** One group of a breakdown: `total` units (runs or calls), `failed` of them with a failure, `failures` instances. */
export interface GroupFigures {
  key: string;
  total: number;
  failed: number;
  failures: number;
}

export interface BucketFigures {
  /** Start of the bucket, ms since the epoch. */
  start: number;
  runs: number;
  failed_runs: number;
  failures: number;
}

export interface ExampleRow {
  mode: string;
  trace_id: string;
  span_id: string;
  time_ns: string;
  evidence: string;
  severity: string;
  tool: string;
  agent: string;
  model: string;
  service: string;
}

export interface PeriodFigures {
  totals: PeriodTotals;
  timeline: BucketFigures[];
  by: { mode: GroupFigures[]; tool: GroupFigures[]; model: GroupFigures[]; agent: GroupFigures[]; harness: GroupFigures[] };
}

const num = (v: unknown) => Number(v ?? 0);

function groups(rows: Record<string, string>[]): GroupFigures[] {
  return rows.map((r) => ({ key: r.key, total: num(r.total), failed: num(r.failed), failures: num(r.failures) }));
}

/** Figures of one period. `bucketSeconds` is the timeline's step. */
export async function readPeriodFigures(
  store: Store,
  project: string,
  range: Range,
  filters: ReportFilters,
  bucketSeconds: number,
  harnessAttributes: readonly string[],
): Promise<PeriodFigures> {
  const where = operationsWhere(project, range, filters);
  const p: Record<string, unknown> = { ...where.params, bucket: bucketSeconds };
  const harnessSql = runAttributesSql(harnessAttributes, [], p, range.from.toISOString().slice(0, 10), range.to.toISOString().slice(0, 10));
  const q = (sql: string) => store.query<Record<string, string>>(sql, p, FINAL_SETTINGS);
  const failed = 'length(failure_modes) > 0';
  const [totals, timeline, mode, tool, model, agent, harness] = await Promise.all([
    q(`SELECT uniqExact(trace_id) AS runs, uniqExactIf(trace_id, ${failed}) AS failed_runs,
              countIf(kind = 'llm') AS llm_calls, countIf(kind = 'tool') AS tool_calls, sum(length(failure_modes)) AS failures,
              sumIf(ifNull(input_tokens, 0), kind = 'llm') AS input_tokens, sumIf(ifNull(output_tokens, 0), kind = 'llm') AS output_tokens,
              sumIf(ifNull(cost_usd, 0), kind = 'llm') AS cost_usd
         FROM operations FINAL WHERE ${where.sql}`),
    q(`SELECT toString(toUnixTimestamp(toStartOfInterval(start_time, toIntervalSecond({bucket:UInt32})))) AS b,
              uniqExact(trace_id) AS runs, uniqExactIf(trace_id, ${failed}) AS failed_runs, sum(length(failure_modes)) AS failures
         FROM operations FINAL WHERE ${where.sql} GROUP BY b ORDER BY b`),
    // A run counts once per mode it shows, however many times.
    q(`SELECT m AS key, uniqExact(trace_id) AS failed, count() AS failures
         FROM operations FINAL ARRAY JOIN failure_modes AS m WHERE ${where.sql} GROUP BY m ORDER BY failures DESC, m`),
    q(`SELECT tool_name AS key, count() AS total, countIf(${failed}) AS failed, sum(length(failure_modes)) AS failures
         FROM operations FINAL WHERE ${where.sql} AND kind = 'tool' GROUP BY key ORDER BY failures DESC, total DESC, key`),
    q(`SELECT if(response_model != '', response_model, request_model) AS key, count() AS total, countIf(${failed}) AS failed,
              sum(length(failure_modes)) AS failures
         FROM operations FINAL WHERE ${where.sql} AND kind = 'llm' GROUP BY key ORDER BY failures DESC, total DESC, key`),
    q(`SELECT agent_name AS key, uniqExact(trace_id) AS total, uniqExactIf(trace_id, ${failed}) AS failed, sum(length(failure_modes)) AS failures
         FROM operations FINAL WHERE ${where.sql} GROUP BY key ORDER BY failures DESC, total DESC, key`),
    // The harness: the run's TRACEMILL_HARNESS_ATTRIBUTES values joined by '@' (default service.name@service.version),
    // read from its raw spans and log records as /api/v1/failures/stats?group_by=harness does.
    q(`SELECT o.harness_key AS key, count() AS total, countIf(o.failed) AS failed, sum(o.failures) AS failures
         FROM (SELECT trace_id, if(any(h.harness) != '', any(h.harness), any(service_name)) AS harness_key, max(${failed}) AS failed,
                      sum(length(failure_modes)) AS failures
                 FROM operations FINAL LEFT JOIN (${harnessSql}) AS h USING trace_id
                WHERE ${where.sql} GROUP BY trace_id) AS o
        GROUP BY key ORDER BY failures DESC, total DESC, key`),
  ]);
  const t = totals[0] ?? {};
  const runs = num(t.runs);
  return {
    totals: {
      runs,
      failed_runs: num(t.failed_runs),
      llm_calls: num(t.llm_calls),
      tool_calls: num(t.tool_calls),
      failures: num(t.failures),
      input_tokens: num(t.input_tokens),
      output_tokens: num(t.output_tokens),
      cost_usd: num(t.cost_usd),
    },
    timeline: timeline.map((r) => ({ start: num(r.b) * 1000, runs: num(r.runs), failed_runs: num(r.failed_runs), failures: num(r.failures) })),
    by: {
      // A mode's rate is over all runs of the period.
      mode: mode.map((r) => ({ key: r.key, total: runs, failed: num(r.failed), failures: num(r.failures) })),
      tool: groups(tool),
      model: groups(model),
      agent: groups(agent),
      harness: groups(harness),
    },
  };
}

/** The newest `perMode` failures of each mode, with their evidence. */
export async function readExamples(store: Store, project: string, range: Range, filters: ReportFilters, perMode: number): Promise<ExampleRow[]> {
  const where = operationsWhere(project, range, filters);
  return store.query<ExampleRow>(
    `SELECT m AS mode, trace_id, span_id, toString(toUnixTimestamp64Nano(start_time)) AS time_ns, failure_evidence[i] AS evidence,
            failure_severities[i] AS severity, tool_name AS tool, agent_name AS agent,
            if(response_model != '', response_model, request_model) AS model, service_name AS service
       FROM operations FINAL ARRAY JOIN failure_modes AS m, arrayEnumerate(failure_modes) AS i
      WHERE ${where.sql}
      ORDER BY m, start_time DESC, trace_id, span_id
      LIMIT {perMode:UInt32} BY m`,
    { ...where.params, perMode },
    FINAL_SETTINGS,
  );
}
