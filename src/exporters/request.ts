// What an export is asked for (ExportRequest) and what it reports (ExportManifest, written as manifest.json beside
// the files and, as counts, in the HTTP stream's final line). Described once here; the CLI, the HTTP route and
// scheduled jobs all build an ExportRequest.
import { z } from 'zod';
import { FAILURE_MODES } from '../model/failure.js';
import { UserPattern } from './redact.js';

const Time = z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))]);

export const BLAMED_POLICIES = ['drop', 'weight0', 'keep'] as const;

export const ExportRequest = z
  .object({
    format: z.string().meta({ description: 'A format of the registry (src/exporters/index.ts): openai-chat, trl, sharegpt, openai-preference, trl-preference, records' }),
    project: z.string().min(1).max(128).default('default'),
    from: Time.optional().meta({ description: 'Runs that started at or after this time (default: the beginning)' }),
    to: Time.optional().meta({ description: 'Runs that started before this time (default: now)' }),
    service: z.string().max(256).optional().meta({ description: 'Harness name: resource service.name' }),
    serviceVersion: z.string().max(256).optional().meta({ description: 'Harness version: resource service.version' }),
    agent: z.string().max(256).optional(),
    model: z.string().max(256).optional().meta({ description: 'Requested or responded model of any LLM call of the run' }),
    tool: z.string().max(256).optional().meta({ description: 'Runs that called this tool' }),
    modesPresent: z.array(z.enum(FAILURE_MODES)).optional().meta({ description: 'Runs with all of these failure modes' }),
    modesAbsent: z.array(z.enum(FAILURE_MODES)).optional().meta({ description: 'Runs with none of these failure modes' }),
    successfulOnly: z.boolean().default(false).meta({ description: 'Only runs without failures of medium or high severity' }),
    minTurns: z.number().int().min(0).optional().meta({ description: 'At least this many LLM calls in the run' }),
    maxTurns: z.number().int().min(0).optional().meta({ description: 'At most this many LLM calls in the run' }),
    maxTokens: z.number().int().min(1).optional().meta({ description: 'Skip examples estimated above this many tokens (estimator named in the manifest)' }),
    blamed: z.enum(BLAMED_POLICIES).optional().meta({ description: 'Blamed assistant turns: weight0 (openai-chat default), drop (cut the example before it; default elsewhere), keep' }),
    taskKey: z.string().max(256).optional().meta({ description: 'Preference formats: span or resource attribute naming the task (default: the normalized first user message)' }),
    validationRatio: z.number().min(0).max(1).default(0).meta({ description: 'Share of examples in validation.jsonl, chosen by content hash' }),
    redact: z.boolean().default(true).meta({ description: 'Replace secrets (API keys, tokens, private keys, passwords in tool arguments)' }),
    redactPii: z.boolean().default(false).meta({ description: 'Also replace e-mail addresses and phone numbers' }),
    redactPatterns: z.array(UserPattern).default([]).meta({ description: 'Extra patterns, replaced as [REDACTED:<name>]' }),
    dedup: z.boolean().default(true).meta({ description: 'Drop examples identical to one already written' }),
    gzip: z.boolean().default(false).meta({ description: 'Write .jsonl.gz' }),
    parquet: z.boolean().default(false).meta({ description: 'records: write records.parquet (by ClickHouse) instead of JSONL' }),
    settledAfter: Time.optional().meta({ description: 'Runs whose operations were (re)settled after this time (exclusive)' }),
    settledUntil: Time.optional().meta({ description: 'Runs whose latest settle is at or before this time (inclusive)' }),
  })
  .strict();
export type ExportRequest = z.input<typeof ExportRequest>;
export type ParsedExportRequest = z.output<typeof ExportRequest>;

const Counts = z.record(z.string(), z.number().int());

export const ExportCounts = z.object({
  runs: z.number().int().meta({ description: 'Agent runs selected by the filters (main agents and subagents)' }),
  examples: z.number().int().meta({ description: 'Lines written (conversations, pairs or operations)' }),
  partial: z.number().int().meta({ description: 'Examples written with content missing (their metadata says what)' }),
  skipped: Counts.meta({ description: 'Examples not written, by reason (a format rule, a filter, no pair ...)' }),
  redacted: Counts.meta({ description: 'Replacements by pattern' }),
  deduplicated: z.number().int().meta({ description: 'Examples identical to one already written' }),
  lossy: Counts.meta({ description: 'Examples written without something the format cannot carry (e.g. reasoning_dropped)' }),
  train: z.number().int(),
  validation: z.number().int(),
});
export type ExportCounts = z.output<typeof ExportCounts>;

export const ExportFile = z.object({
  name: z.string(),
  role: z.enum(['train', 'validation', 'train-metadata', 'validation-metadata', 'records']),
  lines: z.number().int(),
  bytes: z.number().int(),
  sha256: z.string(),
});

export const ExportManifest = z.object({
  format: z.string(),
  format_version: z.string(),
  tracemill_version: z.string(),
  created_at: z.string(),
  project: z.string(),
  filters: z.record(z.string(), z.unknown()).meta({ description: 'The request, as given (times as ISO-8601)' }),
  time_range: z.object({ from: z.string(), to: z.string() }),
  settled: z.object({ after: z.string().nullable(), until: z.string().nullable() }),
  blamed: z.enum(BLAMED_POLICIES).nullable(),
  redaction: z.object({ enabled: z.boolean(), pii: z.boolean(), patterns: z.array(z.string()) }),
  token_estimator: z.object({ name: z.string(), description: z.string() }),
  counts: ExportCounts,
  files: z.array(ExportFile),
});
export type ExportManifest = z.output<typeof ExportManifest>;

export const TOKEN_ESTIMATOR = { name: 'utf8_bytes_div_4', description: 'ceil(UTF-8 bytes of the JSON line / 4): about a token per 4 bytes of English text and JSON' };

export function emptyCounts(): ExportCounts {
  return { runs: 0, examples: 0, partial: 0, skipped: {}, redacted: {}, deduplicated: 0, lossy: {}, train: 0, validation: 0 };
}

/** A request the caller must fix: names the parameter and, where it helps, what exists. */
export class ExportInputError extends Error {
  override name = 'ExportInputError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}
