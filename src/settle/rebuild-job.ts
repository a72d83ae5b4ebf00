// One rebuild job: the stored records of some groups of one project in, the encoded operations rows out.
// Pure (no I/O), so it runs the same on the settle loop's thread or in the rebuild worker (rebuild-worker.ts),
// and its input and output are plain data that cross a thread boundary by structured clone.
import type { Rules } from '../normalize/index.js';
import { type RawLogRow, rowsToLogs, rowsToSpans } from '../store/read/records.js';
import type { RawSpanRow } from '../store/read/spans.js';
import type { OperationKey } from '../model/operation-row.js';
import { encodeOperations } from '../store/rows/operations.js';
import { type RebuildScope, rebuildGroup } from '../analysis/rebuild.js';

export interface JobGroup {
  key: string;
  spans: RawSpanRow[];
  logs: RawLogRow[];
  /** The group's previous rows (and those of trace groups folded into it): kept days, tombstones. */
  previous: OperationKey[];
  /** Set for an incremental rebuild: which of its operations are written (src/analysis/rebuild.ts). */
  scope?: RebuildScope;
}

export interface RebuildJob {
  project: string;
  /** Row version of this rebuild, decimal (a bigint does not need to survive the clone). */
  version: string;
  groups: JobGroup[];
}

export interface RebuildOutput {
  /** JSONCompactEachRow lines for the operations table ('' when nothing changed). */
  body: string;
  groups: number;
  operations: number;
  failures: number;
}

export function runRebuildJob(job: RebuildJob, rules: Rules | undefined): RebuildOutput {
  const out: RebuildOutput = { body: '', groups: 0, operations: 0, failures: 0 };
  const bodies: string[] = [];
  const version = BigInt(job.version);
  for (const g of job.groups) {
    const rebuilt = rebuildGroup({ key: g.key, spans: rowsToSpans(g.spans), logs: rowsToLogs(g.logs) }, g.previous, rules, g.scope);
    if (rebuilt.rows.length === 0 && rebuilt.tombstones.length === 0) continue;
    bodies.push(encodeOperations(job.project, g.key, version, rebuilt.rows, rebuilt.tombstones).body);
    out.groups++;
    out.operations += rebuilt.rows.length;
    out.failures += rebuilt.failures;
  }
  out.body = bodies.join('');
  return out;
}
