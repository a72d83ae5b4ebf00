// GET /api/v1/failures/compare: two populations of runs, the same failure modes and tools, tested.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { compareCounts } from '../../analysis/compare.js';
import { countPopulations } from '../../store/read/populations.js';
import { TimeParam } from '../../time.js';
import { badRequest } from './errors.js';
import { FIXED_SPEC_KEYS, parseSpec } from './population-spec.js';
import { projectOf } from './project.js';

const DAY = 86_400_000;

const Spec = z
  .string()
  .max(4096)
  .meta({
    description: `Population: key:value terms separated by commas. Keys: ${FIXED_SPEC_KEYS.join(', ')}, and the TRACEMILL_HARNESS_ATTRIBUTES names. from/to in a spec override the range for that side.`,
    examples: ['service.version:1.5.0', 'harness:coder@1.4.0', 'model:gpt-5,from:14d,to:7d'],
  });

export const CompareQuery = z.strictObject({
  a: Spec.meta({ description: 'The reference population (e.g. the previous version)' }),
  b: Spec.meta({ description: 'The population compared with it (e.g. the new version)' }),
  from: TimeParam.optional().meta({ description: 'Start of the range for both sides unless a spec has its own. Default: 7d.' }),
  to: TimeParam.optional().meta({ description: 'End of the range (exclusive). Default: now.' }),
  confidence: z.coerce.number().gt(0.5).lt(1).default(0.95).meta({ description: 'Level of the confidence intervals' }),
  alpha: z.coerce.number().gt(0).lt(1).default(0.05).meta({ description: 'Holm-adjusted p-value below which a difference is significant' }),
  min_runs: z.string().regex(/^\d{1,7}$/, 'must be a whole number in decimal digits').transform(Number).pipe(z.number().int().min(1).max(1_000_000)).default(30).meta({ description: 'Least runs on each side for a verdict' }),
});

const SideSchema = z.object({
  runs: z.number().int().meta({ description: 'Runs (traces) of the population; for a tool row, the runs that used the tool' }),
  affected_runs: z.number().int().meta({ description: 'Runs with at least one failure of the mode (on the tool)' }),
  failures: z.number().int().meta({ description: 'Failure instances' }),
  rate: z.number().meta({ description: 'affected_runs / runs' }),
});

const CompareRowSchema = z.object({
  mode: z.string(),
  tool: z.string().nullable().meta({ description: 'null: the mode over all tools' }),
  a: SideSchema,
  b: SideSchema,
  difference: z.number().nullable().meta({ description: 'b.rate - a.rate; null when not tested' }),
  ci: z.tuple([z.number(), z.number()]).nullable().meta({ description: 'Newcombe hybrid score interval of the difference' }),
  test: z.enum(['two_proportion_z', 'fisher_exact']).nullable().meta({ description: "Pooled two-proportion z-test, or Fisher's exact test when an expected count is below 5" }),
  p_value: z.number().nullable(),
  adjusted_p: z.number().nullable().meta({ description: 'Holm-adjusted over every row tested in this answer' }),
  significant: z.boolean().nullable(),
  examples_b: z.array(z.string()).meta({ description: 'Trace ids of affected runs of b' }),
});

export const CompareResponse = z.object({
  a: z.object({ spec: z.record(z.string(), z.string()), from: z.string(), to: z.string(), runs: z.number().int() }),
  b: z.object({ spec: z.record(z.string(), z.string()), from: z.string(), to: z.string(), runs: z.number().int() }),
  verdict: z.enum(['compared', 'too_few_runs']),
  message: z.string(),
  method: z.object({
    unit: z.literal('run'),
    interval: z.literal('newcombe_hybrid_score'),
    confidence: z.number(),
    tests: z.array(z.string()),
    correction: z.literal('holm'),
    alpha: z.number(),
    tested: z.number().int(),
  }),
  rows: z.array(CompareRowSchema),
});

export const compareRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/failures/compare',
    {
      schema: {
        summary: 'Compare failure rates of two populations of runs (versions, models, harnesses, time ranges)',
        description:
          'Per failure mode and per mode x tool: runs, runs affected and failures on each side, the difference of the rates with a Newcombe interval, a two-proportion z-test (Fisher exact for small counts), Holm-adjusted p-values. Fewer than min_runs runs on a side: verdict too_few_runs and no test. See docs/regressions.md.',
        tags: ['failures'],
        querystring: CompareQuery,
        response: { 200: CompareResponse },
      },
    },
    async (req) => {
      const q = req.query;
      const now = Date.now();
      const attrs = app.config.harnessAttributes;
      const specA = parseSpec('a', q.a, attrs, now);
      const specB = parseSpec('b', q.b, attrs, now);
      const to = q.to ?? new Date(now);
      const from = q.from ?? new Date(to.getTime() - 7 * DAY);
      const rangeA = { from: specA.from ?? from, to: specA.to ?? to };
      const rangeB = { from: specB.from ?? from, to: specB.to ?? to };
      if (rangeA.from >= rangeA.to) throw badRequest('a', 'from must be before to');
      if (rangeB.from >= rangeB.to) throw badRequest('b', 'from must be before to');
      const project = projectOf(req);
      const opts = { harnessAttributes: attrs, dims: ['tool'] as const, examples: 5 };
      const [ca, cb] = await countPopulations(app.store, project, [{ ...specA.population, ranges: [rangeA] }, { ...specB.population, ranges: [rangeB] }], opts);
      const result = compareCounts(ca, cb, { confidence: q.confidence, alpha: q.alpha, min_runs: q.min_runs });
      const significant = result.rows.filter((r) => r.comparison?.significant).length;
      const message =
        result.verdict === 'too_few_runs'
          ? `too few runs for a conclusion: a has ${result.runs_a}, b has ${result.runs_b}, each side needs at least ${q.min_runs} (min_runs); the counts are shown without a test`
          : `${significant} of ${result.tested} compared rows differ significantly (Holm-adjusted p < ${q.alpha})`;
      return {
        a: { spec: specA.terms, from: rangeA.from.toISOString(), to: rangeA.to.toISOString(), runs: result.runs_a },
        b: { spec: specB.terms, from: rangeB.from.toISOString(), to: rangeB.to.toISOString(), runs: result.runs_b },
        verdict: result.verdict,
        message,
        method: {
          unit: 'run' as const,
          interval: 'newcombe_hybrid_score' as const,
          confidence: q.confidence,
          tests: ['two_proportion_z', 'fisher_exact'],
          correction: 'holm' as const,
          alpha: q.alpha,
          tested: result.tested,
        },
        rows: result.rows.map((r) => ({
          mode: r.mode,
          tool: r.dim === 'tool' ? r.value : null,
          a: r.a,
          b: r.b,
          difference: r.comparison?.difference ?? null,
          ci: r.comparison?.ci ?? null,
          test: r.comparison?.test ?? null,
          p_value: r.comparison?.p_value ?? null,
          adjusted_p: r.comparison?.adjusted_p ?? null,
          significant: r.comparison?.significant ?? null,
          examples_b: r.examples_b,
        })),
      };
    },
  );
};
