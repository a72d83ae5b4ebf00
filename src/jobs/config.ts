// Scheduled jobs as written under `jobs:` in the TRACEMILL_CONFIG file (docs/jobs.md). Validated once at
// start; src/config.ts turns an issue's path into "file: job <name>: field: message".
import { Cron } from 'croner';
import { z } from 'zod';
import { REPORT_FORMATS } from '../exporters/reports/model.js';
import { parseTimeExpr } from '../time.js';

export const JOB_KINDS = ['corpus', 'records', 'report'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** A cron pattern of 5 fields, or 6 with seconds first, checked by croner itself (the same parser that runs it). */
export function cronError(pattern: string, timezone?: string): string | undefined {
  try {
    const c = new Cron(pattern, { paused: true, mode: '5-or-6-parts', timezone });
    c.nextRun();
    c.stop();
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^CronPattern: |^CronDate: /, '');
  }
}

export const JobFilters = z
  .object({
    service: z.string().min(1).max(256).optional().meta({ description: 'service.name of the agent' }),
    agent: z.string().min(1).max(256).optional(),
    model: z.string().min(1).max(256).optional(),
    tool: z.string().min(1).max(256).optional(),
  })
  .strict();

export const JobSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 (it names files and URLs)')
      .meta({ description: 'Unique job name' }),
    schedule: z.string().min(1).meta({ description: 'Cron: 5 fields, or 6 with seconds first ("0 3 * * *", "*/30 * * * * *")' }),
    timezone: z.string().min(1).optional().meta({ description: 'IANA time zone of the schedule (default UTC)' }),
    kind: z.enum(JOB_KINDS),
    format: z.string().min(1).optional().meta({ description: `report: ${REPORT_FORMATS.join(', ')} (default html); corpus and records: an export format` }),
    filters: JobFilters.optional(),
    project: z.string().min(1).max(128).optional().meta({ description: 'Project exported (default TRACEMILL_PROJECT)' }),
    start: z
      .string()
      .refine((s) => parseTimeExpr(s) !== undefined, 'an ISO-8601 date/time or a duration ago (7d, 24h)')
      .optional()
      .meta({ description: "Where the first run begins (relative: before the first run's time). Default: all retained data (report: one schedule interval)" }),
    destination: z.string().min(1).meta({ description: 'Directory the files are written to (created if missing)' }),
    keep: z.number().int().positive().optional().meta({ description: 'Past runs whose files are kept (default: all)' }),
    webhook: z
      .string()
      .url()
      .refine((u) => /^https?:/.test(u), 'an http or https URL')
      .optional()
      .meta({ description: 'URL that receives the manifest (POST, JSON) when a run finishes' }),
    gzip: z.boolean().optional().meta({ description: 'corpus and records: gzip the files' }),
  })
  .strict()
  .superRefine((job, ctx) => {
    const bad = cronError(job.schedule, job.timezone);
    if (bad) ctx.addIssue({ code: 'custom', path: [/timezone/i.test(bad) && job.timezone ? 'timezone' : 'schedule'], message: bad });
    if (job.kind === 'report' && job.format !== undefined && !(REPORT_FORMATS as readonly string[]).includes(job.format)) {
      ctx.addIssue({ code: 'custom', path: ['format'], message: `a report is ${REPORT_FORMATS.join(', ')}` });
    }
    if (job.kind !== 'report' && job.format === undefined) ctx.addIssue({ code: 'custom', path: ['format'], message: `a ${job.kind} job needs a format` });
  });
export type Job = z.output<typeof JobSchema>;

/** The `jobs:` list; the environment variable takes the same list as JSON. */
export const JobsSchema = z
  .preprocess((v, ctx) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `not a JSON list of jobs: ${(e as Error).message}` });
      return z.NEVER;
    }
  }, z.array(JobSchema))
  .superRefine((jobs, ctx) => {
    const seen = new Set<string>();
    jobs.forEach((j, i) => {
      if (seen.has(j.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${j.name}" is used by an earlier job` });
      seen.add(j.name);
    });
  });

/** "jobs[1] (weekly-report): schedule" for an issue path under jobs, given the raw list to name the job. */
export function jobIssuePath(path: readonly PropertyKey[], raw: unknown): string {
  const [, index, ...rest] = path;
  if (typeof index !== 'number') return 'jobs';
  const name = Array.isArray(raw) ? (raw[index] as { name?: unknown } | undefined)?.name : undefined;
  const field = rest.map(String).join('.') || '(the job)';
  return `job ${typeof name === 'string' ? `"${name}"` : `#${index + 1}`} (jobs[${index}]): ${field}`;
}
