// Job kinds `corpus` and `records`: one call to the corpus exporter (writeExport in src/exporters/index.ts),
// which writes its files and manifest into the run's directory and returns the manifest.
import { readdirSync } from 'node:fs';
import { type ExportRequest, writeExport } from '../../exporters/index.js';
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

/** The corpus exporter, as jobs call it. */
const exportCorpus: WriteExport = (store, request, outDir) => writeExport(store, request as ExportRequest, outDir);

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
