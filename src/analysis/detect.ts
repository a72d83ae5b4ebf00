// Entry points for failure detection, and the registry docs and the API list.
//   detectSpan(op)  at ingest, on each normalized operation (cheap, bounded, allocation-free when clean)
//   detectRun(ops)  when a trace is complete, and again when late spans arrive: pure and deterministic
//                   over the set of operations, so a re-run can simply replace the previous run-level
//                   findings of that trace.
// Invariant: at most one Failure per (spanId, mode) from each entry point.
import type { Operation } from '../model/operation.js';
import type { Failure } from '../model/failure.js';
import { compaction } from './detectors/compaction.js';
import { contextOverflow } from './detectors/context-overflow.js';
import { emptyResponse } from './detectors/empty-response.js';
import { invalidToolArguments } from './detectors/invalid-tool-arguments.js';
import { llmError } from './detectors/llm-error.js';
import { maxTurnsExhausted } from './detectors/max-turns-exhausted.js';
import { outputTruncated } from './detectors/output-truncated.js';
import { refusal } from './detectors/refusal.js';
import { repeatedToolCall } from './detectors/repeated-tool-call.js';
import { buildRunViews } from './detectors/run.js';
import { subagentFailure } from './detectors/subagent-failure.js';
import { taskLostAfterCompaction } from './detectors/task-lost-after-compaction.js';
import { toolError } from './detectors/tool-error.js';
import { toolMarkupLeak } from './detectors/tool-markup-leak.js';
import { toolTimeout } from './detectors/tool-timeout.js';
import type { Detector, DetectorInfo, RunDetector, SpanDetector } from './detectors/types.js';
import { unfinishedRun } from './detectors/unfinished-run.js';
import { unknownTool } from './detectors/unknown-tool.js';

export type { DetectorInfo } from './detectors/types.js';

/** Span-local detectors, in the order their findings are emitted. */
export const SPAN_DETECTORS: readonly SpanDetector[] = [
  toolError,
  toolTimeout,
  invalidToolArguments,
  unknownTool,
  toolMarkupLeak,
  llmError,
  contextOverflow,
  outputTruncated,
  emptyResponse,
  refusal,
  compaction,
];

/** Run-level detectors, in the order their findings are emitted. */
export const RUN_DETECTORS: readonly RunDetector[] = [repeatedToolCall, subagentFailure, taskLostAfterCompaction, maxTurnsExhausted, unfinishedRun];

export const DETECTORS: readonly Detector[] = [...SPAN_DETECTORS, ...RUN_DETECTORS];

/** The registry as plain data (no functions), for docs and the API. One entry per failure mode. */
export function listDetectors(): DetectorInfo[] {
  return DETECTORS.map(({ id, mode, scope, severity, description, signal }) => ({ id, mode, scope, severity, description, signal }));
}

// Detectors per operation kind, so a clean span costs a lookup and a handful of field tests.
const byKind = new Map<Operation['kind'], SpanDetector[]>();
for (const d of SPAN_DETECTORS) {
  for (const k of d.kinds) {
    let list = byKind.get(k);
    if (!list) byKind.set(k, (list = []));
    list.push(d);
  }
}

/** Span-local failures of one operation. */
export function detectSpan(op: Operation): Failure[] {
  const out: Failure[] = [];
  const detectors = byKind.get(op.kind);
  if (detectors) for (const d of detectors) d.detect(op, out);
  return out;
}

/**
 * Run-level failures over the operations of one trace (several traces are handled one by one; the traces of
 * a conversation that hold no agent span are judged together, see detectors/run.ts buildRunViews).
 * The result depends only on the set of operations: order and duplicates in `ops` do not matter.
 */
export function detectRun(ops: readonly Operation[]): Failure[] {
  const out: Failure[] = [];
  for (const view of buildRunViews(ops)) for (const d of RUN_DETECTORS) d.detect(view, out);
  return out;
}
