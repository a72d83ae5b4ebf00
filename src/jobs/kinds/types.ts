// What a job kind does for one run: write its files into `outDir` (a temporary directory next to the
// destination; the scheduler renames them into place) and say what it wrote. One file per kind.
import type { Store } from '../../store/clickhouse.js';
import type { Job } from '../config.js';
import type { RunPlan } from '../plan.js';

export interface KindContext {
  store: Store;
  job: Job;
  project: string;
  plan: RunPlan;
  outDir: string;
  /** Where the API is reached, for links in reports. */
  baseUrl: string;
  /** TRACEMILL_HARNESS_ATTRIBUTES (reports' harness breakdown). */
  harnessAttributes?: readonly string[];
}

export interface KindResult {
  /** Names of the files written in outDir. */
  files: string[];
  counts: Record<string, number>;
  /** The exporter's own manifest, kept in the run manifest. */
  export?: unknown;
}

export type KindRunner = (ctx: KindContext) => Promise<KindResult>;
