// An operation as the operations table keeps it, shared by the pure rebuild (src/analysis/rebuild.ts) that
// produces rows and the store (src/store/rows/operations.ts) that encodes them.
import type { Failure } from './failure.js';
import type { Operation } from './operation.js';

/** An operation as written: where it lives (partition day, group) and what was found on it. */
export interface OperationRow {
  op: Operation;
  day: string;
  failures: Failure[];
}

/** A previous row the new rebuild no longer has: its key, to write a tombstone. */
export interface OperationKey {
  day: string;
  groupKey: string;
  traceId: string;
  spanId: string;
}
