// GET /api/v1/failures/stats and GET /api/v1/failures.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Store } from '../../store/clickhouse.js';
import { CURSOR_PARTS, FINAL_SETTINGS, IS_CALL, type Range, decodeCursor, encodeCursor, operationsWhere, previousRange, rangeOf } from './filters.js';
import { projectOf } from './project.js';
import { type GroupKey, FailureStatsQuery, FailureStatsResponse, FailuresQuery, FailuresResponse, type Filters } from './schemas.js';
import { runAttributesSql } from '../../store/read/populations.js';

/** Group key -> SQL expression over operations (mode is the ARRAY JOINed `m`). */
const GROUP_SQL: Record<Exclude<GroupKey, 'mode'>, string> = {
  tool: 'tool_name',
  model: "if(response_model != '', response_model, request_model)",
  agent: 'agent_name',
  service: 'service_name',
  day: 'toString(toDate(start_time))',
  hour: "formatDateTime(toStartOfHour(start_time), '%Y-%m-%dT%H:00:00Z')",
  // The run's harness, from its spans' and log records' attributes (joined in as `h`, see stats()).
  harness: 'h.harness',
};

interface Figures {
  runs: number;
  calls: number;
  failures: number;
  failure_rate: number;
}

type Row = Record<string, string> & Figures;

const rate = (failures: number, calls: number) => (calls > 0 ? failures / calls : 0);

/**
 * Calls, runs and failures per group and in total come from one scan with GROUPING SETS. Grouped by mode,
 * a second scan (run alongside) ARRAY JOINs the failure modes, and each mode row counts the failures of
 * that mode against all the calls of its other group keys. Runs are counted exactly over 64-bit hashes
 * of the trace ids: half the time of hashing the strings, and a collision among a few million traces
 * has odds below 1e-6.
 */
async function stats(store: Store, project: string, r: Range, f: Filters, groupBy: GroupKey[], harnessAttributes: readonly string[]): Promise<{ rows: Row[]; totals: Figures }> {
  const where = operationsWhere(project, r, f, false);
  const harnessJoin = groupBy.includes('harness')
    ? ` LEFT JOIN (${runAttributesSql(harnessAttributes, [], where.params, r.from.toISOString().slice(0, 10), r.to.toISOString().slice(0, 10))}) AS h USING trace_id`
    : '';
  const others = groupBy.filter((g): g is Exclude<GroupKey, 'mode'> => g !== 'mode');
  const byMode = groupBy.includes('mode');
  // Aliases get a prefix: `day` is also a column, and an alias would shadow it in WHERE.
  const keyCols = others.map((g) => `k_${g}`);
  const keySelect = others.map((g) => `${GROUP_SQL[g]} AS k_${g}`);
  const params = { ...where.params, ...(f.mode !== undefined ? { mode: f.mode } : {}) };
  const modeCond = (x: string) => (f.mode !== undefined ? `${x} = {mode:String}` : `${x} != ''`);

  const [callRows, modeRows] = await Promise.all([
    store.query<Record<string, string>>(
      `SELECT ${[
        ...keySelect,
        keyCols.length ? `grouping(${keyCols.join(', ')}) AS g` : '1 AS g',
        `countIf(${IS_CALL}) AS calls`,
        'uniqExact(cityHash64(trace_id)) AS runs',
        `sum(arrayCount(x -> ${modeCond('x')}, failure_modes)) AS failures`,
      ].join(', ')}
         FROM operations FINAL${harnessJoin} WHERE ${where.sql}
        ${keyCols.length ? `GROUP BY GROUPING SETS ((${keyCols.join(', ')}), ())` : ''}`,
      params,
      FINAL_SETTINGS,
    ),
    byMode
      ? store.query<Record<string, string>>(
          `SELECT ${[...keySelect, 'm', 'count() AS failures', 'uniqExact(cityHash64(trace_id)) AS runs'].join(', ')}
             FROM operations FINAL ARRAY JOIN failure_modes AS m${harnessJoin}
            WHERE ${where.sql} AND ${modeCond('m')}
            GROUP BY ${[...keyCols, 'm'].join(', ')}`,
          params,
          FINAL_SETTINGS,
        )
      : Promise.resolve([] as Record<string, string>[]),
  ]);

  // grouping(): 1 where the keys are aggregated over, i.e. the totals row.
  const totalsRow = callRows.find((x) => Number(x.g) === 1);
  const totals: Figures = { runs: Number(totalsRow?.runs ?? 0), calls: Number(totalsRow?.calls ?? 0), failures: Number(totalsRow?.failures ?? 0), failure_rate: 0 };
  totals.failure_rate = rate(totals.failures, totals.calls);
  const groupRows = keyCols.length ? callRows.filter((x) => Number(x.g) === 0) : [];
  const keysOf = (row: Record<string, string>) => Object.fromEntries(groupBy.map((g) => [g, g === 'mode' ? row.m : row[`k_${g}`]]));
  const keyOf = (row: Record<string, string>) => JSON.stringify(others.map((g) => row[`k_${g}`]));

  let rows: Row[];
  if (byMode) {
    const callsOf = new Map(groupRows.map((x) => [keyOf(x), Number(x.calls)]));
    rows = modeRows.map((x) => {
      const calls = keyCols.length ? (callsOf.get(keyOf(x)) ?? 0) : totals.calls;
      const failures = Number(x.failures);
      return { ...keysOf(x), runs: Number(x.runs), calls, failures, failure_rate: rate(failures, calls) } as Row;
    });
  } else {
    rows = groupRows
      .filter((x) => f.mode === undefined || Number(x.failures) > 0)
      .map((x) => {
        const calls = Number(x.calls);
        const failures = Number(x.failures);
        return { ...keysOf(x), runs: Number(x.runs), calls, failures, failure_rate: rate(failures, calls) } as Row;
      });
  }
  rows.sort((a, b) => b.failures - a.failures || b.calls - a.calls || JSON.stringify(groupBy.map((g) => a[g])).localeCompare(JSON.stringify(groupBy.map((g) => b[g]))));
  return { rows, totals };
}

function figures(r: Figures): Figures {
  return { runs: r.runs, calls: r.calls, failures: r.failures, failure_rate: r.failure_rate };
}

export const failureRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/failures/stats',
    {
      schema: {
        summary: 'Failure counts and rates, grouped',
        description: 'Calls, runs and failures over the range, grouped by any of mode, tool, model, agent, service, day, hour, harness (TRACEMILL_HARNESS_ATTRIBUTES). compare=previous adds the period before and the change.',
        tags: ['failures'],
        querystring: FailureStatsQuery,
        response: { 200: FailureStatsResponse },
      },
    },
    async (req) => {
      const freshness = app.freshness(); // before the query: what had settled by then is in it
      const q = req.query;
      const range = rangeOf(q);
      const groupBy = q.group_by?.length ? [...new Set(q.group_by)] : (['mode'] as GroupKey[]);
      const project = projectOf(req);
      const [current, prev] = await Promise.all([
        stats(app.store, project, range, q, groupBy, app.config.harnessAttributes),
        q.compare === 'previous' ? stats(app.store, project, previousRange(range), q, groupBy, app.config.harnessAttributes) : undefined,
      ]);
      if (!prev) return { freshness, from: range.from.toISOString(), to: range.to.toISOString(), group_by: groupBy, rows: current.rows, totals: current.totals };
      const prevOf = new Map(prev.rows.map((r) => [JSON.stringify(groupBy.map((g) => r[g])), r]));
      const rows = current.rows.map((r) => {
        const p = prevOf.get(JSON.stringify(groupBy.map((g) => r[g])));
        const pf = p ? figures(p) : { runs: 0, calls: 0, failures: 0, failure_rate: 0 };
        return { ...r, previous: pf, change: { failures: r.failures - pf.failures, failure_rate: r.failure_rate - pf.failure_rate } };
      });
      return {
        freshness,
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        group_by: groupBy,
        rows,
        totals: { ...current.totals, previous: prev.totals },
      };
    },
  );

  app.get(
    '/api/v1/failures',
    {
      schema: {
        summary: 'Failure instances with evidence',
        description: 'Newest first. Page with next_cursor.',
        tags: ['failures'],
        querystring: FailuresQuery,
        response: { 200: FailuresResponse },
      },
    },
    async (req) => {
      const q = req.query;
      const range = rangeOf(q);
      const where = operationsWhere(projectOf(req), range, q, false);
      const params: Record<string, unknown> = { ...where.params, limit: q.limit + 1 };
      let after = '';
      if (q.cursor !== undefined) {
        const c = decodeCursor(q.cursor, [CURSOR_PARTS.nanos, CURSOR_PARTS.traceId, CURSOR_PARTS.spanId, CURSOR_PARTS.index]);
        Object.assign(params, { cTime: c[0], cTrace: c[1], cSpan: c[2], cIdx: c[3] });
        after = ' AND (toUnixTimestamp64Nano(start_time), trace_id, span_id, i) < (toInt64({cTime:String}), {cTrace:String}, {cSpan:String}, {cIdx:UInt32})';
      }
      if (q.mode !== undefined) params.mode = q.mode;
      const cond = `${where.sql}${q.mode !== undefined ? ' AND m = {mode:String}' : ''}${after}`;
      const order = 'ORDER BY toUnixTimestamp64Nano(start_time) DESC, trace_id DESC, span_id DESC, i DESC LIMIT {limit:UInt32}';
      // The page's operations are found from the columns that order them, then only those are read in full
      // (the trace id index skips the rest): half the bytes read over 1M operations (bench/ui.ts). The outer
      // query may see more failures of a page's last operation than the page holds; its ORDER BY and LIMIT
      // keep exactly the page.
      const rows = await app.store.query<Record<string, string>>(
        `SELECT toString(toUnixTimestamp64Nano(start_time)) AS ns, trace_id, span_id, session_id, kind, agent_name, tool_name,
                if(response_model != '', response_model, request_model) AS model, service_name,
                m, failure_severities[i] AS severity, failure_detectors[i] AS detector, failure_evidence[i] AS evidence, i
           FROM operations FINAL ARRAY JOIN failure_modes AS m, arrayEnumerate(failure_modes) AS i
          WHERE ${cond} AND (trace_id, span_id) IN (
            SELECT trace_id, span_id FROM operations FINAL ARRAY JOIN failure_modes AS m, arrayEnumerate(failure_modes) AS i WHERE ${cond} ${order})
          ${order}`,
        params,
        FINAL_SETTINGS,
      );
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        failures: page.map((r) => ({
          time: nanosToIso(r.ns),
          trace_id: r.trace_id,
          span_id: r.span_id,
          session_id: r.session_id,
          mode: r.m,
          severity: r.severity,
          detector: r.detector,
          evidence: r.evidence,
          kind: r.kind,
          agent: r.agent_name,
          tool: r.tool_name,
          model: r.model,
          service: r.service_name,
        })),
        next_cursor: rows.length > q.limit && last ? encodeCursor([last.ns, last.trace_id, last.span_id, Number(last.i)]) : null,
      };
    },
  );
};

export function nanosToIso(ns: string): string {
  const ms = ns.length > 6 ? Number(ns.slice(0, -6)) : 0;
  const iso = new Date(ms).toISOString();
  // Keep the nanosecond digits: agents' spans are often closer together than a millisecond.
  const frac = ns.length > 9 ? ns.slice(-9) : ns.padStart(9, '0');
  return iso.slice(0, 19) + '.' + frac + 'Z';
}
