// The detector contract: every detector declares itself (mode, scope, severity, signal) so docs and
// the API can list them from one table, and shared code never branches on a particular mode.
import type { Operation } from '../../model/operation.js';
import type { Failure, FailureMode, Severity } from '../../model/failure.js';
import type { RunView } from './run.js';

export interface DetectorInfo {
  /** Stable kebab-case id, also the file name under src/analysis/detectors/. */
  id: string;
  mode: FailureMode;
  /** 'span': runs at ingest on one operation. 'run': runs over all operations of a finished trace. */
  scope: 'span' | 'run';
  /** Default severity; an instance may carry a different one when the detector says so. */
  severity: Severity;
  /** One sentence: what the mode means. */
  description: string;
  /** What, mechanically, triggers it. */
  signal: string;
}

export interface SpanDetector extends DetectorInfo {
  scope: 'span';
  /** Operation kinds it looks at, so detectSpan only calls detectors that can fire. */
  kinds: readonly Operation['kind'][];
  /** Pure: appends findings to `out` (no allocation when nothing is found). */
  detect(op: Operation, out: Failure[]): void;
}

export interface RunDetector extends DetectorInfo {
  scope: 'run';
  detect(run: RunView, out: Failure[]): void;
}

export type Detector = SpanDetector | RunDetector;
