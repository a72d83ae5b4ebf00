// The failure report, described once: the JSON format is this object, and GET /api/v1/report documents it
// in OpenAPI. The Markdown and HTML formats render the same object.
import { z } from 'zod';

export const REPORT_FORMATS = ['json', 'md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const ReportTotals = z.object({
  runs: z.number().int().meta({ description: 'Agent runs (distinct traces) with operations in the period' }),
  failed_runs: z.number().int().meta({ description: 'Runs with at least one failure' }),
  failure_rate: z.number().meta({ description: 'failed_runs / runs (0 without runs)' }),
  llm_calls: z.number().int(),
  tool_calls: z.number().int(),
  failures: z.number().int().meta({ description: 'Failure instances' }),
  input_tokens: z.number().int().meta({ description: 'Input tokens of the LLM calls' }),
  output_tokens: z.number().int(),
  cost_usd: z.number().meta({ description: 'Cost the agents reported (tracemill prices nothing)' }),
});

const Side = z.object({ total: z.number().int(), failed: z.number().int(), failures: z.number().int(), rate: z.number() });

export const ReportRow = Side.extend({
  key: z.string().meta({ description: 'The mode, tool, model, agent or harness ("service.name service.version")' }),
  previous: Side.meta({ description: 'The same group in the previous period of the same length' }),
  change: z.number().meta({ description: 'rate - previous.rate' }),
  test: z
    .enum(['two_proportion_z', 'fisher_exact', 'none'])
    .meta({ description: "Pooled two-proportion z-test; Fisher's exact test when an expected count is below 5; none when a period has no data" }),
  p_value: z.number().meta({ description: 'Two-sided p-value of "the rate did not change"' }),
  p_adjusted: z.number().meta({ description: 'Holm-adjusted over the rows of the breakdown' }),
  ci: z.tuple([z.number(), z.number()]).nullable().meta({ description: "Newcombe's 95% interval for the change (null when not tested)" }),
  significant: z.boolean().meta({ description: 'p_adjusted < 0.05' }),
});
export type ReportRow = z.output<typeof ReportRow>;

export const Breakdown = z.object({
  unit: z.enum(['runs', 'tool calls', 'LLM calls']).meta({ description: 'What total and failed count; rate = failed / total' }),
  rows: z.array(ReportRow),
});

export const ReportExample = z.object({
  trace_id: z.string(),
  span_id: z.string(),
  time: z.string(),
  severity: z.string(),
  evidence: z.string(),
  tool: z.string(),
  agent: z.string(),
  model: z.string(),
  service: z.string(),
  link: z.string().meta({ description: 'The trace in the query API: <base>/api/v1/traces/{trace_id}' }),
});

export const Report = z.object({
  title: z.string(),
  project: z.string(),
  generated_at: z.string(),
  from: z.string().meta({ description: 'Start of the period (inclusive)' }),
  to: z.string().meta({ description: 'End of the period (exclusive)' }),
  previous: z.object({ from: z.string(), to: z.string() }).meta({ description: 'The period of the same length just before' }),
  filters: z.object({ service: z.string().optional(), agent: z.string().optional(), model: z.string().optional(), tool: z.string().optional() }),
  significance: z.string().meta({ description: 'How changes are tested' }),
  totals: ReportTotals,
  previous_totals: ReportTotals,
  runs_change: ReportRow.omit({ key: true }).meta({ description: 'Failed runs / runs against the previous period' }),
  timeline: z
    .object({
      bucket_seconds: z.number().int(),
      points: z.array(z.object({ start: z.string(), runs: z.number().int(), failed_runs: z.number().int(), failures: z.number().int(), failure_rate: z.number() })),
    })
    .meta({ description: 'Failure rate (failed runs / runs) per bucket; empty buckets included' }),
  by: z.object({ mode: Breakdown, tool: Breakdown, model: Breakdown, agent: Breakdown, harness: Breakdown }),
  examples: z.array(z.object({ mode: z.string(), examples: z.array(ReportExample) })).meta({ description: 'Newest failures of each mode' }),
});
export type Report = z.output<typeof Report>;
