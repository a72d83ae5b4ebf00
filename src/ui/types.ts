// The query API's answers as the dashboard reads them (the API's zod schemas are the reference; the
// dashboard is built separately, for the browser, and reads only what it shows).
export interface Figures {
  runs: number;
  calls: number;
  failures: number;
  failure_rate: number;
}
export interface FailureStats {
  from: string;
  to: string;
  group_by: string[];
  rows: (Figures & Record<string, string | number | undefined> & { mode?: string; previous?: Figures })[];
  totals: Figures & { previous?: Figures };
  freshness?: string;
}
export interface ToolStats {
  tools: { tool: string; calls: number; errors: number; error_rate: number; p50_ms: number; p95_ms: number; p99_ms: number; repeated_calls: number }[];
}
export interface ModelStats {
  models: { model: string; provider: string; calls: number; input_tokens: number; output_tokens: number; cost_usd: number | null; errors: number }[];
}
export interface FailureInstance {
  time: string;
  trace_id: string;
  span_id: string;
  session_id: string;
  mode: string;
  severity: string;
  detector: string;
  evidence: string;
  kind: string;
  agent: string;
  tool: string;
  model: string;
  service: string;
}
export interface TraceSummary {
  trace_id: string;
  session_id: string;
  root_name: string;
  agent: string;
  service: string;
  start: string;
  duration_ms: number;
  llm_calls: number;
  tool_calls: number;
  subagents: number;
  errors: number;
  failure_modes: string[];
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
}
export interface Failure {
  mode: string;
  severity: string;
  detector: string;
  evidence: string;
}
export interface TreeNode {
  span_id: string;
  parent_span_id: string;
  kind: string;
  name: string;
  start: string;
  end: string;
  duration_ms: number;
  status: string;
  agent: { name: string; id: string; parent_id: string; depth: number };
  model?: { request: string; response: string; provider: string };
  usage?: { input_tokens: number | null; output_tokens: number | null; cost_usd: number | null };
  finish_reason?: string;
  tool?: { name: string; call_id: string; arguments: string; result: string };
  error?: { type: string; message: string };
  compaction?: { trigger: string; tokens_before: number | null; tokens_after: number | null; estimated: boolean };
  input_messages?: unknown[];
  output_messages?: unknown[];
  failures: Failure[];
  children: TreeNode[];
}
export interface TraceAnswer {
  trace_id: string;
  summary: TraceSummary;
  tree: TreeNode[];
  failures: (Failure & { span_id: string })[];
  raw?: { resourceSpans: unknown[] };
}
