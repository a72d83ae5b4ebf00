// The `alerts:` section of the settings file (TRACEMILL_CONFIG): how regressions are detected and who is told.
// Webhook targets come only from here (an admin's file), never from an API request.
import { z } from 'zod';
import { FAILURE_MODES } from '../model/failure.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `5m`, `1h`, `7d` or a number of milliseconds, as milliseconds. */
export const Duration = z.union([z.number().int().min(0), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = DURATION.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (use 500ms, 30s, 5m, 1h, 7d or milliseconds)` });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
});

export const DIMENSIONS = ['tool', 'model', 'harness'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const Thresholds = z.object({
  alpha: z.number().gt(0).lt(1).default(0.01).meta({ description: 'Holm-adjusted p-value below which an increase is significant' }),
  min_runs: z.number().int().min(1).default(30).meta({ description: 'Least runs in the recent window (and in the baseline) for any verdict' }),
  min_failures: z.number().int().min(1).default(5).meta({ description: 'Least runs with the failure in the recent window' }),
  min_relative_change: z.number().min(0).default(0.5).meta({ description: 'Least relative increase of the rate: 0.5 = 1.5 times the baseline rate' }),
});
export type Thresholds = z.output<typeof Thresholds>;

export const Detection = Thresholds.extend({
  interval: Duration.default(60_000).meta({ description: 'How often the detector runs; 0 turns it off' }),
  window: Duration.pipe(z.number().min(60_000, 'the window is at least 1m')).default(3_600_000).meta({ description: 'Recent window' }),
  baseline: z
    .enum(['same_window_previous_days', 'preceding'])
    .default('same_window_previous_days')
    .meta({ description: 'same_window_previous_days: the same time of day on each of baseline_days days before; preceding: the baseline_days * 24h just before the window' }),
  baseline_days: z.number().int().min(1).max(60).default(7),
  dimensions: z.array(z.enum(DIMENSIONS)).default([...DIMENSIONS]).meta({ description: 'Besides each mode alone: mode x tool, mode x model, mode x harness' }),
  examples: z.number().int().min(0).max(50).default(5).meta({ description: 'Example trace ids kept with an alert' }),
});
export type Detection = z.output<typeof Detection>;

const Header = z.object({ name: z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), value: z.string().min(1) }).strict();

export const Destination = z
  .object({
    name: z.string().min(1).optional(),
    type: z.enum(['webhook', 'slack']).meta({ description: 'webhook: the JSON alert message; slack: a Slack-compatible incoming webhook ({text, blocks})' }),
    url: z.string().url().refine((u) => /^https?:/.test(u), 'an http(s) URL'),
    secret_header: Header.optional().meta({ description: 'A shared-secret header sent with every delivery' }),
    hmac_secret: z.string().min(16).optional().meta({ description: 'Signs the body: X-Tracemill-Signature: sha256=<hex HMAC-SHA256 of the body>' }),
    timeout: Duration.default(10_000),
    retries: z.number().int().min(0).max(20).default(5).meta({ description: 'Retries after a failed attempt, with exponential backoff' }),
    backoff: Duration.default(1_000).meta({ description: 'First retry delay; doubles each time' }),
  })
  .strict();
export type Destination = z.output<typeof Destination>;

export const Rule = z
  .object({
    name: z.string().min(1),
    projects: z.array(z.string()).optional(),
    modes: z.array(z.enum(FAILURE_MODES)).optional(),
    tools: z.array(z.string()).optional(),
    models: z.array(z.string()).optional(),
    harnesses: z.array(z.string()).optional(),
    min_failures: z.number().int().min(1).optional(),
    min_relative_change: z.number().min(0).optional(),
    cooldown: Duration.default(3_600_000).meta({ description: 'An alert of the same key reopened within this time after it resolved sends nothing new' }),
    destinations: z.array(Destination).min(1),
  })
  .strict();
export type Rule = z.output<typeof Rule>;

export const AlertsConfig = z
  .object({
    detection: Detection.strict().default(Detection.parse({})),
    rules: z.array(Rule).default([]),
  })
  .strict();
export type AlertsConfig = z.output<typeof AlertsConfig>;

/** Parses the section; errors name the file, the rule (by name when it has one) and the field. */
export function parseAlertsConfig(raw: unknown, file: string): AlertsConfig {
  const r = AlertsConfig.safeParse(raw ?? {});
  if (r.success) return r.data;
  const rules = (raw as { rules?: { name?: unknown }[] } | null)?.rules;
  const lines = r.error.issues.map((i) => {
    const path = i.path.map(String);
    let where = `alerts.${path.join('.')}`;
    if (path[0] === 'rules' && path[1] !== undefined) {
      const name = rules?.[Number(path[1])]?.name;
      where = `alerts.rules[${path[1]}]${typeof name === 'string' ? ` (rule "${name}")` : ''}${path.length > 2 ? `.${path.slice(2).join('.')}` : ''}`;
    }
    return `${file}: ${where}: ${i.message}`;
  });
  throw new AlertsConfigError(lines.join('\n  '));
}

export class AlertsConfigError extends Error {
  override name = 'AlertsConfigError';
}
