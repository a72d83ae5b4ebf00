// Comparing the failure rates of two populations of runs, per mode and per mode x (tool | model | harness),
// and the regression decision built on it. Plain counts in, verdicts out; the store query that produces the
// counts is src/store/read/populations.ts.
import { type Comparison, type TestName, compareRates, holm } from './significance.js';

/** Runs of a population for a breakdown value (dim 'all', value '': the whole population). */
export interface RunsCount {
  dim: string;
  value: string;
  runs: number;
  first_seen?: number;
}

export interface FailureCount {
  mode: string;
  dim: string;
  value: string;
  affected: number;
  failures: number;
  examples?: string[];
}

export interface Counts {
  runs: RunsCount[];
  failures: FailureCount[];
}

export interface Side {
  runs: number;
  /** Runs with at least one failure of the mode. */
  affected_runs: number;
  failures: number;
  /** affected_runs / runs (0 without runs). */
  rate: number;
}

export interface CompareRow {
  mode: string;
  dim: string;
  value: string;
  a: Side;
  b: Side;
  /** Null when a side has no runs: nothing to test. */
  comparison: (Comparison & { adjusted_p: number; significant: boolean }) | null;
  examples_b: string[];
}

export interface CompareOptions {
  confidence: number;
  alpha: number;
  /** Least runs on each side for any verdict. */
  min_runs: number;
}

export interface CompareResult {
  /** too_few_runs: a side has fewer than min_runs runs; rows carry the counts and no test. */
  verdict: 'compared' | 'too_few_runs';
  runs_a: number;
  runs_b: number;
  /** Rows tested together: the family the Holm adjustment is over. */
  tested: number;
  rows: CompareRow[];
}

const key = (mode: string, dim: string, value: string) => `${mode}\u0000${dim}\u0000${value}`;
const runsKey = (dim: string, value: string) => `${dim}\u0000${value}`;

function side(runs: number, f: FailureCount | undefined): Side {
  const affected = f?.affected ?? 0;
  return { runs, affected_runs: affected, failures: f?.failures ?? 0, rate: runs > 0 ? affected / runs : 0 };
}

/**
 * Every (mode, dim, value) with a failure on either side gets a row; rows where both sides have runs are
 * tested, and their p-values adjusted together (Holm). Rows come sorted by adjusted p, then by difference.
 */
export function compareCounts(a: Counts, b: Counts, opts: CompareOptions): CompareResult {
  const runsA = new Map(a.runs.map((r) => [runsKey(r.dim, r.value), r.runs]));
  const runsB = new Map(b.runs.map((r) => [runsKey(r.dim, r.value), r.runs]));
  const failA = new Map(a.failures.map((f) => [key(f.mode, f.dim, f.value), f]));
  const failB = new Map(b.failures.map((f) => [key(f.mode, f.dim, f.value), f]));
  const keys = new Map<string, [string, string, string]>();
  for (const f of [...a.failures, ...b.failures]) keys.set(key(f.mode, f.dim, f.value), [f.mode, f.dim, f.value]);
  const totalA = runsA.get(runsKey('all', '')) ?? 0;
  const totalB = runsB.get(runsKey('all', '')) ?? 0;
  const enough = totalA >= opts.min_runs && totalB >= opts.min_runs;

  const rows: CompareRow[] = [];
  const tested: { row: CompareRow; c: Comparison }[] = [];
  for (const [k, [mode, dim, value]] of keys) {
    const sa = side(runsA.get(runsKey(dim, value)) ?? 0, failA.get(k));
    const sb = side(runsB.get(runsKey(dim, value)) ?? 0, failB.get(k));
    const row: CompareRow = { mode, dim, value, a: sa, b: sb, comparison: null, examples_b: failB.get(k)?.examples ?? [] };
    rows.push(row);
    if (enough && sa.runs > 0 && sb.runs > 0) tested.push({ row, c: compareRates({ n: sa.runs, k: sa.affected_runs }, { n: sb.runs, k: sb.affected_runs }, opts.confidence) });
  }
  const adjusted = holm(tested.map((x) => x.c.p_value));
  tested.forEach(({ row, c }, i) => {
    row.comparison = { ...c, adjusted_p: adjusted[i]!, significant: adjusted[i]! < opts.alpha };
  });
  rows.sort(
    (x, y) =>
      (x.comparison?.adjusted_p ?? 2) - (y.comparison?.adjusted_p ?? 2) ||
      Math.abs(y.b.rate - y.a.rate) - Math.abs(x.b.rate - x.a.rate) ||
      key(x.mode, x.dim, x.value).localeCompare(key(y.mode, y.dim, y.value)),
  );
  return { verdict: enough ? 'compared' : 'too_few_runs', runs_a: totalA, runs_b: totalB, tested: tested.length, rows };
}

export interface RegressionThresholds {
  alpha: number;
  min_runs: number;
  min_failures: number;
  min_relative_change: number;
}

export type RowState =
  /** A significant increase past the minimum count and relative change. */
  | 'regression'
  /** Enough runs, and the recent rate is not significantly above the baseline (the CI of the difference reaches 0). */
  | 'normal'
  /** Neither: an increase that is not (yet) large or certain enough, or too few runs to say. */
  | 'undecided';

export interface RowVerdict {
  state: RowState;
  /** Recent rate / baseline rate - 1 (Infinity from a zero baseline rate). */
  relative_change: number;
  /** Why it is not a regression, when it is not. */
  reason?: string;
}

/**
 * The regression decision for one compared row (a = baseline, b = recent). An alert opens on 'regression'
 * and resolves on 'normal'; 'undecided' leaves an alert as it is, so a flapping rate does not open and close
 * the same alert every interval.
 */
export function regressionVerdict(row: CompareRow, t: RegressionThresholds): RowVerdict {
  const relative = row.a.rate > 0 ? row.b.rate / row.a.rate - 1 : row.b.rate > 0 ? Infinity : 0;
  const c = row.comparison;
  if (!c || row.a.runs < t.min_runs || row.b.runs < t.min_runs) return { state: 'undecided', relative_change: relative, reason: 'too few runs' };
  if (c.ci[0] <= 0) return { state: 'normal', relative_change: relative, reason: 'the recent rate is within the baseline' };
  if (!c.significant) return { state: 'undecided', relative_change: relative, reason: `not significant after Holm (adjusted p ${c.adjusted_p.toPrecision(3)})` };
  if (row.b.affected_runs < t.min_failures) return { state: 'undecided', relative_change: relative, reason: `fewer than ${t.min_failures} affected runs` };
  if (relative < t.min_relative_change) return { state: 'undecided', relative_change: relative, reason: `relative change below ${t.min_relative_change}` };
  return { state: 'regression', relative_change: relative };
}

export interface Attribution {
  dim: string;
  value: string;
  first_seen: number;
  runs: number;
  affected_runs: number;
  rate: number;
  p_value: number;
  test: TestName;
}

/**
 * Where an increase appears: the breakdown values (harness versions, models) of the recent window whose rate
 * is significantly above the baseline rate (each tested against the baseline, Holm over the values), the
 * earliest first seen first.
 */
export function attribute(baseline: Side, recent: Counts, mode: string, dim: string, alpha: number): Attribution[] {
  const fails = new Map(recent.failures.filter((f) => f.mode === mode && f.dim === dim).map((f) => [f.value, f]));
  const cands = recent.runs
    .filter((r) => r.dim === dim && r.runs > 0)
    .map((r) => {
      const f = fails.get(r.value);
      const c = compareRates({ n: baseline.runs, k: baseline.affected_runs }, { n: r.runs, k: f?.affected ?? 0 });
      return { r, f, c };
    });
  const adj = holm(cands.map((x) => x.c.p_value));
  return cands
    .filter((x, i) => adj[i]! < alpha && x.c.ci[0] > 0)
    .map(({ r, f, c }) => ({ dim, value: r.value, first_seen: r.first_seen ?? 0, runs: r.runs, affected_runs: f?.affected ?? 0, rate: c.rate_b, p_value: c.p_value, test: c.test }))
    .sort((x, y) => x.first_seen - y.first_seen || y.rate - x.rate);
}
