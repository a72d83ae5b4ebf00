// Job kinds `corpus` and `records`: one call to the corpus exporter (issue 12, "Fine-tuning corpora"), which
// writes its files and returns a manifest. That exporter is not in this branch: `exportCorpus` is the one
// place to connect it (`writeExport(store, request, outDir)` from src/exporters/index.ts). Until then a
// corpus or records run fails with a message saying so, which the run history shows.
import { readdirSync } from 'node:fs';
import type { Store } from '../../store/clickhouse.js';
import type { KindRunner } from './types.js';

/** The request the corpus exporter takes (its zod ExportRequest), as far as jobs fill it. */
export interface CorpusExportRequest {
  format: string;
  project: string;
  service?: string;
  agent?: string;
  model?: string;
  tool?: string;
  gzip?: boolean;
  /** Runs settled after this time (exclusive), ISO-8601. */
  settledAfter?: string;
  /** Runs settled up to this time (inclusive), ISO-8601. */
  settledUntil?: string;
}

/** What this module needs of the exporter's ExportManifest. */
export interface CorpusExportManifest {
  files?: unknown[];
  counts?: Record<string, unknown>;
  [key: string]: unknown;
}

export type WriteExport = (store: Store, request: CorpusExportRequest, outDir: string) => Promise<CorpusExportManifest>;

export class ExporterMissingError extends Error {
  override name = 'ExporterMissingError';
}

/** The corpus exporter. Replace the body with `writeExport(store, request, outDir)` once it is merged. */
export const exportCorpus: WriteExport = async () => {
  throw new ExporterMissingError('the corpus exporter (src/exporters/index.ts writeExport) is not part of this build, so corpus and records jobs cannot run');
};

export function corpusRequest(job: Parameters<KindRunner>[0]['job'], project: string, from: Date | undefined, to: Date): CorpusExportRequest {
  return {
    format: job.format as string,
    project,
    ...job.filters,
    ...(job.gzip !== undefined ? { gzip: job.gzip } : {}),
    ...(from ? { settledAfter: from.toISOString() } : {}),
    settledUntil: to.toISOString(),
  };
}

export function corpusRunner(write: WriteExport = exportCorpus): KindRunner {
  return async ({ store, job, project, plan, outDir }) => {
    const manifest = await write(store, corpusRequest(job, project, plan.from, plan.to), outDir);
    const counts = Object.fromEntries(Object.entries(manifest.counts ?? {}).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
    // The exporter names its files; every file it left in outDir is part of the run.
    return { files: readdirSync(outDir).sort(), counts, export: manifest };
  };
}
