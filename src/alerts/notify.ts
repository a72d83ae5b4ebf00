// Alert notifications: which rules an alert matches, the message bodies (generic JSON webhook and Slack-
// compatible incoming webhook), and delivery with retries and backoff, each attempt recorded.
import { createHmac, randomUUID } from 'node:crypto';
import type { Destination, Rule } from './config.js';
import type { Alert, Delivery } from './model.js';

export type AlertEvent = 'opened' | 'resolved';

/** Does the rule want this alert? Lists left out match everything. */
export function ruleMatches(rule: Rule, a: Alert): boolean {
  const ev = a.evidence;
  if (rule.projects && !rule.projects.includes(a.project)) return false;
  if (rule.modes && !rule.modes.includes(a.mode as never)) return false;
  if (rule.tools && !rule.tools.includes(a.tool)) return false;
  const models = [a.model, ev.first_model?.value ?? ''].filter(Boolean);
  if (rule.models && !rule.models.some((m) => models.includes(m))) return false;
  const harnesses = [a.harness, ev.first_harness?.value ?? ''].filter(Boolean);
  if (rule.harnesses && !rule.harnesses.some((h) => harnesses.includes(h))) return false;
  if (rule.min_failures !== undefined && ev.recent.affected_runs < rule.min_failures) return false;
  if (rule.min_relative_change !== undefined && ev.relative_change !== null && ev.relative_change < rule.min_relative_change) return false;
  return true;
}

/** The generic webhook body (docs/regressions.md documents it). */
export function webhookBody(a: Alert, event: AlertEvent, rule: string): Record<string, unknown> {
  return { type: 'tracemill.alert', event, rule, alert: a, link: `/api/v1/alerts/${a.id}` };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A Slack incoming-webhook message: `text` (also the notification fallback) and one mrkdwn section. */
export function slackBody(a: Alert, event: AlertEvent): Record<string, unknown> {
  const ev = a.evidence;
  const head = event === 'opened' ? `:rotating_light: Regression: ${a.summary}` : `:white_check_mark: Resolved: ${a.summary}`;
  const lines = [
    `*${a.mode}*${a.tool ? ` on \`${a.tool}\`` : ''}${a.model ? ` with model \`${a.model}\`` : ''}${a.harness ? ` in harness \`${a.harness}\`` : ''} (project ${a.project})`,
    `Recent: ${ev.recent.affected_runs}/${ev.recent.runs} runs (${pct(ev.recent.rate)}), baseline: ${ev.baseline.affected_runs}/${ev.baseline.runs} (${pct(ev.baseline.rate)})`,
    `Difference ${pct(ev.difference)} [${pct(ev.ci[0])}, ${pct(ev.ci[1])}], ${ev.test}, adjusted p ${ev.adjusted_p.toPrecision(3)}`,
    ev.first_harness ? `First seen in harness \`${ev.first_harness.value}\`` : '',
    ev.example_trace_ids.length ? `Example traces: ${ev.example_trace_ids.slice(0, 3).map((id) => `\`${id}\``).join(', ')}` : '',
    `Alert \`${a.id}\``,
  ].filter(Boolean);
  return { text: head, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${head}\n${lines.join('\n')}` } }] };
}

export interface DeliveryJob {
  alert: Alert;
  event: AlertEvent;
  rule: Rule;
  destination: Destination;
}

export interface NotifierOptions {
  /** Records an attempt (alert_deliveries). */
  record(project: string, alertId: string, d: Delivery): Promise<void>;
  sleep?(ms: number): Promise<void>;
  now?(): number;
  onError?(err: Error): void;
}

export function destinationName(rule: Rule, d: Destination, i: number): string {
  return `${rule.name}/${d.name ?? `${d.type}#${i}`}`;
}

export const SIGNATURE_HEADER = 'x-tracemill-signature';

/**
 * Sends each (alert, event, destination) once: a failed attempt is retried after backoff, 2 x backoff, ...
 * up to `retries` times, then given up. A second request for the same triple is ignored (the cool-down in
 * src/alerts/loop.ts keeps a reopened alert from asking again).
 */
export class Notifier {
  private readonly sent = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  /** Wakes the deliveries waiting for their next retry (close() gives them up at once). */
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  constructor(private readonly opts: NotifierOptions) {}

  notify(alert: Alert, event: AlertEvent, rules: readonly Rule[]): void {
    for (const rule of rules) {
      if (!ruleMatches(rule, alert)) continue;
      rule.destinations.forEach((destination, i) => {
        const name = destinationName(rule, destination, i);
        const once = `${alert.id}\u0000${event}\u0000${name}`;
        if (this.sent.has(once) || this.closed) return;
        this.sent.add(once);
        const p = this.deliver({ alert, event, rule, destination }, name).catch((e: Error) => this.opts.onError?.(e));
        this.inflight.add(p);
        void p.finally(() => this.inflight.delete(p));
      });
    }
  }

  /** Resolves when every delivery started so far has ended (delivered or given up). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  /** Stops retrying: deliveries waiting for a retry give up now (and record it); attempts in flight end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.sleepers]) wake();
    await this.idle();
  }

  private wait(ms: number): Promise<void> {
    if (this.opts.sleep) return this.opts.sleep(ms);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async deliver(job: DeliveryJob, name: string): Promise<void> {
    const { alert, event, rule, destination: d } = job;
    const body = JSON.stringify(d.type === 'slack' ? slackBody(alert, event) : webhookBody(alert, event, rule.name));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'tracemill-alerts',
      'x-tracemill-event': event,
      // The same for every attempt of one delivery, so a receiver can drop a retry it already took.
      'x-tracemill-delivery': randomUUID(),
    };
    if (d.secret_header) headers[d.secret_header.name.toLowerCase()] = d.secret_header.value;
    if (d.hmac_secret) headers[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', d.hmac_secret).update(body).digest('hex')}`;
    const now = this.opts.now ?? Date.now;
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let error = '';
      try {
        const res = await fetch(d.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(d.timeout), redirect: 'manual' });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (status < 200 || status >= 300) error = `HTTP ${status}`;
      } catch (e) {
        error = (e as Error).message;
      }
      const at = new Date(now()).toISOString();
      if (!error) {
        await this.opts.record(alert.project, alert.id, { event, destination: name, attempt, outcome: 'delivered', status_code: status, error: '', at });
        return;
      }
      await this.opts.record(alert.project, alert.id, { event, destination: name, attempt, outcome: 'failed', status_code: status, error: error.slice(0, 500), at });
      if (attempt > d.retries || this.closed) {
        await this.opts.record(alert.project, alert.id, { event, destination: name, attempt, outcome: 'giving_up', status_code: status, error: error.slice(0, 500), at });
        return;
      }
      await this.wait(d.backoff * 2 ** (attempt - 1));
      if (this.closed) {
        const at2 = new Date(now()).toISOString();
        await this.opts.record(alert.project, alert.id, { event, destination: name, attempt, outcome: 'giving_up', status_code: status, error: 'the service is shutting down', at: at2 });
        return;
      }
    }
  }
}
