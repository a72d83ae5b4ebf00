// Failure instances found by the detectors.

export const FAILURE_MODES = [
  'tool_error',
  'tool_timeout',
  'invalid_tool_arguments',
  'unknown_tool',
  'repeated_tool_call',
  'tool_markup_leak',
  'llm_error',
  'context_overflow',
  'compaction',
  'task_lost_after_compaction',
  'max_turns_exhausted',
  'output_truncated',
  'empty_response',
  'refusal',
  'subagent_failure',
  'unfinished_run',
] as const;

export type FailureMode = (typeof FAILURE_MODES)[number];
export type Severity = 'low' | 'medium' | 'high';

export interface Failure {
  mode: FailureMode;
  severity: Severity;
  traceId: string;
  /** The operation the failure is attached to. */
  spanId: string;
  sessionId: string;
  serviceName: string;
  agentName: string;
  toolName: string;
  model: string;
  timeUnixNano: string;
  /** A short excerpt that shows why (at most ~300 characters). */
  evidence: string;
  /** Which detector found it, so a user can tell 'span' (at ingest) from 'run' (trace complete). */
  detector: 'span' | 'run';
}
