// Shapes of scheduled-job runs as the API and the manifest files show them (zod, in OpenAPI).
import { z } from 'zod';

export const RunFile = z.object({
  name: z.string().meta({ description: 'File name in the destination directory' }),
  path: z.string().meta({ description: 'Absolute path where the service wrote it' }),
  bytes: z.number().int(),
  sha256: z.string(),
});

export const RunManifest = z.object({
  job: z.string(),
  run_id: z.string(),
  kind: z.enum(['corpus', 'records', 'report']),
  format: z.string(),
  project: z.string(),
  trigger: z.enum(['schedule', 'manual']),
  tick: z.string(),
  window: z
    .object({ from: z.string().nullable(), to: z.string(), basis: z.enum(['start_time', 'settled_at']) })
    .meta({ description: 'report: operations that started in [from, to); corpus and records: runs settled in (from, to] (from null: all retained data)' }),
  watermark: z.string().meta({ description: 'Where the next run starts' }),
  started_at: z.string(),
  finished_at: z.string(),
  files: z.array(RunFile),
  counts: z.record(z.string(), z.number()).meta({ description: 'report: runs, failed_runs, failures; corpus and records: the export counts' }),
  export: z.unknown().optional().meta({ description: 'corpus and records: the manifest the exporter returned' }),
});
export type RunManifest = z.output<typeof RunManifest>;

export const RunRecord = z.object({
  job: z.string(),
  run_id: z.string(),
  tick: z.string(),
  replica: z.string().meta({ description: 'The tracemill instance that ran it' }),
  trigger: z.enum(['schedule', 'manual']),
  status: z.enum(['running', 'ok', 'failed']).meta({ description: 'running: started and not finished (a crash leaves it so; the next run starts from the last ok watermark)' }),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  window_from: z.string().nullable(),
  window_to: z.string().nullable(),
  watermark: z.string().nullable(),
  files: z.number().int(),
  bytes: z.number().int(),
  error: z.string().meta({ description: 'Why the run failed (empty when it did not)' }),
  webhook: z.string().meta({ description: 'Outcome of the webhook call ("" without a webhook)' }),
});
export type RunRecord = z.output<typeof RunRecord>;

export const RunWithManifest = RunRecord.extend({ manifest: RunManifest.nullable() });

export const JobStatus = z.object({
  name: z.string(),
  kind: z.enum(['corpus', 'records', 'report']),
  format: z.string(),
  schedule: z.string(),
  timezone: z.string(),
  destination: z.string(),
  keep: z.number().int().nullable(),
  next_run: z.string().nullable(),
  last_runs: z.array(RunRecord).meta({ description: 'Newest first' }),
});
export const JobsResponse = z.object({ jobs: z.array(JobStatus) });
