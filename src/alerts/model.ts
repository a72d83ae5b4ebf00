// An alert as stored (table `alerts`, 007_alerts.sql) and sent: one zod description for the API, the
// webhook body and the rows.
import { z } from 'zod';

const SideSchema = z.object({
  runs: z.number().int(),
  affected_runs: z.number().int(),
  failures: z.number().int(),
  rate: z.number(),
});

const AttributionSchema = z.object({
  value: z.string(),
  first_seen: z.string().meta({ description: 'Earliest run of this value in the recent window' }),
  runs: z.number().int(),
  affected_runs: z.number().int(),
  rate: z.number(),
  p_value: z.number(),
});

export const Evidence = z.object({
  recent: SideSchema.extend({ from: z.string(), to: z.string() }),
  baseline: SideSchema.extend({ kind: z.string(), ranges: z.number().int(), from: z.string(), to: z.string() }),
  difference: z.number(),
  ci: z.tuple([z.number(), z.number()]),
  confidence: z.number(),
  test: z.enum(['two_proportion_z', 'fisher_exact']),
  p_value: z.number(),
  adjusted_p: z.number().meta({ description: 'Holm-adjusted over every row tested in the same run of the detector' }),
  tested: z.number().int(),
  relative_change: z.number().nullable().meta({ description: 'recent rate / baseline rate - 1; null when the baseline rate is 0' }),
  thresholds: z.object({ alpha: z.number(), min_runs: z.number(), min_failures: z.number(), min_relative_change: z.number() }),
  example_trace_ids: z.array(z.string()),
  first_harness: AttributionSchema.nullable().meta({ description: 'The first harness (by first run in the window) whose rate is significantly above the baseline' }),
  first_model: AttributionSchema.nullable(),
  harnesses: z.array(AttributionSchema),
  models: z.array(AttributionSchema),
  /** Set when the alert resolved: the figures that resolved it. */
  resolved_by: z.object({ recent: SideSchema, baseline: SideSchema, ci: z.tuple([z.number(), z.number()]).nullable() }).optional(),
});
export type Evidence = z.output<typeof Evidence>;

export const Alert = z.object({
  id: z.string(),
  project: z.string(),
  status: z.enum(['open', 'resolved']),
  mode: z.string(),
  tool: z.string().meta({ description: 'Empty unless the alert is about the mode on one tool' }),
  model: z.string(),
  harness: z.string(),
  opened_at: z.string(),
  resolved_at: z.string().nullable(),
  updated_at: z.string(),
  summary: z.string(),
  evidence: Evidence,
});
export type Alert = z.output<typeof Alert>;

export const Delivery = z.object({
  event: z.enum(['opened', 'resolved']),
  destination: z.string(),
  attempt: z.number().int(),
  outcome: z.enum(['delivered', 'failed', 'giving_up']),
  status_code: z.number().int(),
  error: z.string(),
  at: z.string(),
});
export type Delivery = z.output<typeof Delivery>;

/** The alert's breakdown key: the mode alone, or the mode on one tool / model / harness. */
export function alertKey(a: { mode: string; tool: string; model: string; harness: string }): string {
  return JSON.stringify([a.mode, a.tool, a.model, a.harness]);
}
