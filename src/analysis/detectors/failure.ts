// Builds a Failure from the operation it is attached to. Evidence is always cut from data already in
// that operation (never widened with other fields), and capped at EVIDENCE_MAX characters.
import type { Operation } from '../../model/operation.js';
import type { Failure, FailureMode, Severity } from '../../model/failure.js';
import { EVIDENCE_MAX, excerpt } from './text.js';

export function makeFailure(
  op: Operation,
  mode: FailureMode,
  severity: Severity,
  evidence: string,
  detector: 'span' | 'run',
  toolName = op.toolName,
): Failure {
  return {
    mode,
    severity,
    traceId: op.traceId,
    spanId: op.spanId,
    sessionId: op.sessionId,
    serviceName: op.serviceName,
    agentName: op.agentName,
    toolName,
    model: op.responseModel || op.requestModel,
    timeUnixNano: op.startTimeUnixNano !== '0' && op.startTimeUnixNano !== '' ? op.startTimeUnixNano : op.endTimeUnixNano,
    evidence: evidence.length <= EVIDENCE_MAX ? evidence : excerpt(evidence, EVIDENCE_MAX),
    detector,
  };
}
