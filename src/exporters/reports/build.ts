// Report builder: figures of two periods (src/store/read/report.ts) -> the report model. Pure.
import { compareRates, holm } from '../../analysis/significance.js';
import type { ExampleRow, GroupFigures, PeriodFigures, PeriodTotals, ReportFilters } from '../../store/read/report.js';
import { nanosToIso } from '../../api/query/failures.js';
import type { Report, ReportRow } from './model.js';

export interface ReportInput {
  project: string;
  from: Date;
  to: Date;
  filters: ReportFilters;
  bucketSeconds: number;
  current: PeriodFigures;
  previous: PeriodFigures;
  examples: ExampleRow[];
  /** Where the API is reached, for trace links ('' gives links relative to the server). */
  baseUrl: string;
  generatedAt: Date;
}

const HOUR = 3600;
const DAY = 86_400;

/** The timeline step for a period: hours up to two days, days up to 90 days, weeks beyond. */
export function bucketFor(from: Date, to: Date): number {
  const s = (to.getTime() - from.getTime()) / 1000;
  if (s <= 2 * DAY) return HOUR;
  if (s <= 90 * DAY) return DAY;
  return 7 * DAY;
}

const rate = (failed: number, total: number) => (total > 0 ? failed / total : 0);

/** Significance level of the marks, applied to Holm-adjusted p-values within each breakdown. */
export const ALPHA = 0.05;

type Side = { total: number; failed: number; failures: number };

/** This period against the previous one; p_adjusted is set by the caller (Holm over a breakdown). */
function compare(cur: Side, prev: Side): Omit<ReportRow, 'key'> {
  const r = rate(cur.failed, cur.total);
  const pr = rate(prev.failed, prev.total);
  const base = {
    total: cur.total,
    failed: cur.failed,
    failures: cur.failures,
    rate: r,
    previous: { total: prev.total, failed: prev.failed, failures: prev.failures, rate: pr },
    change: r - pr,
  };
  if (cur.total <= 0 || prev.total <= 0) return { ...base, test: 'none', p_value: 1, p_adjusted: 1, ci: null, significant: false };
  // a = the previous period, b = this one: the difference is this period's rate minus the previous one.
  const c = compareRates({ n: prev.total, k: Math.min(prev.failed, prev.total) }, { n: cur.total, k: Math.min(cur.failed, cur.total) });
  return { ...base, test: c.test, p_value: c.p_value, p_adjusted: c.p_value, ci: c.ci, significant: c.p_value < ALPHA };
}

/** Holm's adjustment over the rows that were tested; a row is significant when its adjusted p < ALPHA. */
function adjust(rows: ReportRow[]): ReportRow[] {
  const tested = rows.filter((x) => x.test !== 'none');
  const adjusted = holm(tested.map((x) => x.p_value));
  tested.forEach((x, i) => {
    x.p_adjusted = adjusted[i];
    x.significant = adjusted[i] < ALPHA;
  });
  return rows;
}

/** `goneTotal`: the total of a group seen only in the previous period (modes: this period's runs; others: 0, not tested). */
function rows(cur: GroupFigures[], prev: GroupFigures[], goneTotal = 0): ReportRow[] {
  const before = new Map(prev.map((g) => [g.key, g]));
  const out = cur.map((g) => ({ key: g.key, ...compare(g, before.get(g.key) ?? { total: 0, failed: 0, failures: 0 }) }));
  // Groups that failed before but not now: their improvement is news too.
  const now = new Set(cur.map((g) => g.key));
  for (const g of prev) if (!now.has(g.key) && g.failures > 0) out.push({ key: g.key, ...compare({ total: goneTotal, failed: 0, failures: 0 }, g) });
  return adjust(out);
}

function totals(t: PeriodTotals): Report['totals'] {
  return { ...t, failure_rate: rate(t.failed_runs, t.runs) };
}

function timeline(current: PeriodFigures, from: Date, to: Date, bucket: number): Report['timeline'] {
  const step = bucket * 1000;
  const byStart = new Map(current.timeline.map((b) => [b.start, b]));
  const points: Report['timeline']['points'] = [];
  // Buckets are aligned to the epoch (toStartOfInterval), like the query that filled them.
  for (let t = Math.floor(from.getTime() / step) * step; t < to.getTime(); t += step) {
    const b = byStart.get(t);
    points.push({
      start: new Date(t).toISOString(),
      runs: b?.runs ?? 0,
      failed_runs: b?.failed_runs ?? 0,
      failures: b?.failures ?? 0,
      failure_rate: rate(b?.failed_runs ?? 0, b?.runs ?? 0),
    });
  }
  return { bucket_seconds: bucket, points };
}

export function traceLink(baseUrl: string, traceId: string): string {
  return `${baseUrl.replace(/\/$/, '')}/api/v1/traces/${traceId}`;
}

export function buildReport(input: ReportInput): Report {
  const { current, previous, from, to } = input;
  const len = to.getTime() - from.getTime();
  const byMode = new Map<string, Report['examples'][number]['examples']>();
  for (const e of input.examples) {
    const list = byMode.get(e.mode) ?? [];
    list.push({
      trace_id: e.trace_id,
      span_id: e.span_id,
      time: nanosToIso(e.time_ns),
      severity: e.severity,
      evidence: e.evidence,
      tool: e.tool,
      agent: e.agent,
      model: e.model,
      service: e.service,
      link: traceLink(input.baseUrl, e.trace_id),
    });
    byMode.set(e.mode, list);
  }
  const modeRows = rows(current.by.mode, previous.by.mode, current.totals.runs);
  const filterText = Object.entries(input.filters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return {
    title: `Failure report${filterText ? ` (${filterText})` : ''}: ${from.toISOString().slice(0, 16).replace('T', ' ')} to ${to.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    project: input.project,
    generated_at: input.generatedAt.toISOString(),
    from: from.toISOString(),
    to: to.toISOString(),
    previous: { from: new Date(from.getTime() - len).toISOString(), to: from.toISOString() },
    filters: Object.fromEntries(Object.entries(input.filters).filter(([, v]) => v !== undefined)),
    significance: `Changes of a rate (failed / total) against the previous period: two-sided pooled two-proportion z-test, or Fisher's exact test when an expected count is below 5 (src/analysis/significance.ts); p-values Holm-adjusted within each breakdown; significant when the adjusted p < ${ALPHA}. The interval is Newcombe's 95% interval for the change.`,
    totals: totals(current.totals),
    previous_totals: totals(previous.totals),
    runs_change: compare(
      { total: current.totals.runs, failed: current.totals.failed_runs, failures: current.totals.failures },
      { total: previous.totals.runs, failed: previous.totals.failed_runs, failures: previous.totals.failures },
    ),
    timeline: timeline(current, from, to, input.bucketSeconds),
    by: {
      mode: { unit: 'runs', rows: modeRows },
      tool: { unit: 'tool calls', rows: rows(current.by.tool, previous.by.tool) },
      model: { unit: 'LLM calls', rows: rows(current.by.model, previous.by.model) },
      agent: { unit: 'runs', rows: rows(current.by.agent, previous.by.agent) },
      harness: { unit: 'runs', rows: rows(current.by.harness, previous.by.harness) },
    },
    examples: modeRows.filter((r) => byMode.has(r.key)).map((r) => ({ mode: r.key, examples: byMode.get(r.key) ?? [] })),
  };
}
