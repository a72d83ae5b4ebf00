// The regression detector's I/O shell: every `interval`, for each project with recent operations, count the
// recent window and the baseline (src/store/read/populations.ts), decide per row (src/analysis/compare.ts),
// open, reopen or resolve alerts in ClickHouse, and hand opened and resolved alerts to the notifier.
// The clock and the timer are injectable: tests call runOnce(now) with the time they want.
import { createHash } from 'node:crypto';
import { type Attribution, type CompareRow, attribute, compareCounts, regressionVerdict } from '../analysis/compare.js';
import type { Store } from '../store/clickhouse.js';
import { activeProjects, currentAlerts, recordDelivery, writeAlert } from '../store/read/alerts.js';
import { type CountDimension, type Population, type TimeRange, countPopulation, sameWindowPreviousDays } from '../store/read/populations.js';
import type { AlertsConfig } from './config.js';
import { type Alert, type Evidence, alertKey } from './model.js';
import { Notifier } from './notify.js';

const DAY = 86_400_000;

export interface LoopOptions {
  store: Store;
  config: AlertsConfig;
  harnessAttributes: readonly string[];
  now?(): number;
  log?: { warn(obj: object, msg: string): void; info?(obj: object, msg: string): void };
  /** For tests: the notifier's sleep between retries. */
  sleep?(ms: number): Promise<void>;
}

export interface RunSummary {
  projects: number;
  opened: Alert[];
  reopened: Alert[];
  resolved: Alert[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function describe(row: { mode: string; dim: string; value: string }): string {
  if (row.dim === 'tool') return `${row.mode} on ${row.value}`;
  if (row.dim === 'model') return `${row.mode} with model ${row.value}`;
  if (row.dim === 'harness') return `${row.mode} in harness ${row.value}`;
  return row.mode;
}

function windowText(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;
}

const toAttribution = (a: Attribution) => ({ value: a.value, first_seen: new Date(a.first_seen).toISOString(), runs: a.runs, affected_runs: a.affected_runs, rate: a.rate, p_value: a.p_value });

export class RegressionLoop {
  readonly notifier: Notifier;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RunSummary> | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly opts: LoopOptions) {
    this.now = opts.now ?? Date.now;
    this.notifier = new Notifier({
      record: (project, id, d) => recordDelivery(opts.store, project, id, d),
      sleep: opts.sleep,
      now: this.now,
      onError: (err) => opts.log?.warn({ err: err.message }, 'alert delivery could not be recorded'),
    });
  }

  /** Starts the periodic run (a no-op with interval 0). */
  start(): void {
    const every = this.opts.config.detection.interval;
    if (every <= 0 || this.timer || this.closed) return;
    const tick = () => {
      this.timer = setTimeout(() => {
        this.runOnce()
          .catch((e: Error) => this.opts.log?.warn({ err: e.message }, 'regression detection failed; will retry'))
          .finally(() => {
            if (!this.closed) tick();
          });
      }, every);
      this.timer.unref();
    };
    tick();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.notifier.close();
  }

  /** One pass over every active project at `now` (default: the clock). Runs do not overlap. */
  async runOnce(now = this.now()): Promise<RunSummary> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.pass(now);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private ranges(now: number): { recent: TimeRange; baseline: TimeRange[] } {
    const d = this.opts.config.detection;
    const recent = { from: new Date(now - d.window), to: new Date(now) };
    const baseline =
      d.baseline === 'preceding' ? [{ from: new Date(now - d.window - d.baseline_days * DAY), to: recent.from }] : sameWindowPreviousDays(recent, d.baseline_days);
    return { recent, baseline };
  }

  private async pass(now: number): Promise<RunSummary> {
    const { recent, baseline } = this.ranges(now);
    const earliest = new Date(Math.min(...baseline.map((r) => r.from.getTime())));
    const projects = await activeProjects(this.opts.store, earliest);
    const summary: RunSummary = { projects: projects.length, opened: [], reopened: [], resolved: [] };
    for (const project of projects) await this.project(project, now, recent, baseline, summary);
    return summary;
  }

  private async project(project: string, now: number, recent: TimeRange, baseline: TimeRange[], out: RunSummary): Promise<void> {
    const { store, config, harnessAttributes } = this.opts;
    const d = config.detection;
    const dims = d.dimensions as CountDimension[];
    const count = (pop: Population, dimsOf: readonly CountDimension[]) => countPopulation(store, project, pop, { harnessAttributes, dims: dimsOf, examples: d.examples });
    const [base, rec] = await Promise.all([count({ ranges: baseline }, dims), count({ ranges: [recent] }, dims)]);
    const result = compareCounts(base, rec, { confidence: 0.95, alpha: d.alpha, min_runs: d.min_runs });
    const rowsByKey = new Map(result.rows.map((r) => [alertKey(keyOf(r)), r]));
    const recentRuns = new Map(rec.runs.map((r) => [`${r.dim}\u0000${r.value}`, r.runs]));
    const maxCooldown = Math.max(0, ...config.rules.map((r) => r.cooldown));
    const existing = await currentAlerts(store, project, new Date(now - maxCooldown));
    const open = new Map(existing.filter((a) => a.status === 'open').map((a) => [a.key, a]));
    const recentlyResolved = new Map(existing.filter((a) => a.status === 'resolved').map((a) => [a.key, a]));
    const iso = new Date(now).toISOString();

    // Open (or reopen) alerts for regressions. A model or harness row with the same figures as its mode's row
    // (one model in the project, one harness) says nothing more: skipped. Tool rows are kept: naming the tool
    // says more, so it is the mode's row that is skipped when a tool row has the same figures.
    const modeRows = new Map(result.rows.filter((r) => r.dim === 'all').map((r) => [r.mode, r]));
    const sameAs = (x: CompareRow, y: CompareRow | undefined) =>
      !!y && x.a.runs === y.a.runs && x.a.affected_runs === y.a.affected_runs && x.b.runs === y.b.runs && x.b.affected_runs === y.b.affected_runs;
    for (const row of result.rows) {
      if ((row.dim === 'model' || row.dim === 'harness') && sameAs(row, modeRows.get(row.mode))) continue;
      // The mode alone with the figures of one of its tools (the tool has every failure, every run used it): the tool's alert says it.
      if (row.dim === 'all' && result.rows.some((x) => x.dim === 'tool' && x.mode === row.mode && sameAs(x, row))) continue;
      const verdict = regressionVerdict(row, d);
      if (verdict.state !== 'regression') continue;
      const key = alertKey(keyOf(row));
      if (open.has(key)) continue;
      const evidence = await this.evidence(project, row, verdict.relative_change, result.tested, recent, baseline);
      const before = recentlyResolved.get(key);
      const cooldown = Math.max(0, ...config.rules.filter((r) => r.projects === undefined || r.projects.includes(project)).map((r) => r.cooldown));
      if (before && before.resolved_at && now - Date.parse(before.resolved_at) < cooldown) {
        // Within the cool-down: the same alert again, nothing sent (it was sent when it first opened).
        const { key: _key, ...plainBefore } = before;
        const again: Alert = { ...plainBefore, status: 'open', resolved_at: null, updated_at: iso, evidence, summary: summaryOf(row, evidence, d.window) };
        await writeAlert(store, again, key);
        out.reopened.push(again);
        continue;
      }
      const alert: Alert = {
        id: createHash('sha256').update(`${project}\u0000${key}\u0000${iso}`).digest('hex').slice(0, 20),
        project,
        status: 'open',
        ...keyOf(row),
        opened_at: iso,
        resolved_at: null,
        updated_at: iso,
        summary: summaryOf(row, evidence, d.window),
        evidence,
      };
      await writeAlert(store, alert, key);
      out.opened.push(alert);
      this.notifier.notify(alert, 'opened', config.rules);
    }

    // Resolve open alerts whose rate is back within the baseline.
    for (const [key, { key: _key, ...alert }] of open) {
      const row = rowsByKey.get(key);
      let normal: boolean;
      if (row) normal = regressionVerdict(row, d).state === 'normal';
      else {
        // No failure of the mode on either side: normal once the recent window has enough runs.
        const dim = alert.tool ? 'tool' : alert.model ? 'model' : alert.harness ? 'harness' : 'all';
        normal = (recentRuns.get(`${dim}\u0000${alert.tool || alert.model || alert.harness}`) ?? 0) >= d.min_runs;
      }
      if (!normal) continue;
      const resolved: Alert = {
        ...alert,
        status: 'resolved',
        resolved_at: iso,
        updated_at: iso,
        evidence: {
          ...alert.evidence,
          resolved_by: row ? { recent: row.b, baseline: row.a, ci: row.comparison?.ci ?? null } : { recent: { runs: 0, affected_runs: 0, failures: 0, rate: 0 }, baseline: { runs: 0, affected_runs: 0, failures: 0, rate: 0 }, ci: null },
        },
      };
      await writeAlert(store, resolved, key);
      out.resolved.push(resolved);
      this.notifier.notify(resolved, 'resolved', config.rules);
    }
  }

  /** The figures of the row, and where the increase appears: per harness and per model in the recent window. */
  private async evidence(project: string, row: CompareRow, relative: number, tested: number, recent: TimeRange, baseline: TimeRange[]): Promise<Evidence> {
    const { store, config, harnessAttributes } = this.opts;
    const d = config.detection;
    const c = row.comparison!;
    const pop: Population = { ranges: [recent] };
    if (row.dim === 'tool') pop.tool = row.value;
    if (row.dim === 'model') pop.model = row.value;
    if (row.dim === 'harness') pop.harness = row.value;
    const breakdown = await countPopulation(store, project, pop, { harnessAttributes, dims: ['harness', 'model'], modes: [row.mode], examples: 0 });
    const harnesses = attribute(row.a, breakdown, row.mode, 'harness', d.alpha);
    const models = attribute(row.a, breakdown, row.mode, 'model', d.alpha);
    const spanOf = (rs: TimeRange[]) => ({ from: new Date(Math.min(...rs.map((r) => r.from.getTime()))).toISOString(), to: new Date(Math.max(...rs.map((r) => r.to.getTime()))).toISOString() });
    return {
      recent: { ...row.b, ...spanOf([recent]) },
      baseline: { ...row.a, kind: d.baseline, ranges: baseline.length, ...spanOf(baseline) },
      difference: c.difference,
      ci: c.ci,
      confidence: c.confidence,
      test: c.test,
      p_value: c.p_value,
      adjusted_p: c.adjusted_p,
      tested,
      relative_change: Number.isFinite(relative) ? relative : null,
      thresholds: { alpha: d.alpha, min_runs: d.min_runs, min_failures: d.min_failures, min_relative_change: d.min_relative_change },
      example_trace_ids: row.examples_b,
      first_harness: harnesses[0] ? toAttribution(harnesses[0]) : null,
      first_model: models[0] ? toAttribution(models[0]) : null,
      harnesses: harnesses.map(toAttribution),
      models: models.map(toAttribution),
    };
  }
}

function keyOf(row: { mode: string; dim: string; value: string }): { mode: string; tool: string; model: string; harness: string } {
  return { mode: row.mode, tool: row.dim === 'tool' ? row.value : '', model: row.dim === 'model' ? row.value : '', harness: row.dim === 'harness' ? row.value : '' };
}

function summaryOf(row: CompareRow, ev: Evidence, windowMs: number): string {
  const times = ev.relative_change === null ? 'from none' : `${(ev.relative_change + 1).toFixed(1)}x`;
  const where = ev.first_harness ? `, first in harness ${ev.first_harness.value}` : ev.first_model ? `, first with model ${ev.first_model.value}` : '';
  return `${describe(row)}: ${pct(row.b.rate)} of runs in the last ${windowText(windowMs)} vs ${pct(row.a.rate)} in the baseline (${times})${where}`;
}
