// GET /api/v1/tools/stats and GET /api/v1/models/stats.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { FINAL_SETTINGS, operationsWhere, rangeOf } from './filters.js';
import { projectOf } from './project.js';
import { Filters, ModelStatsResponse, ToolStatsResponse } from './schemas.js';

const round = (x: number) => Math.round(x * 1000) / 1000;

export const usageRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/tools/stats',
    {
      schema: {
        summary: 'Per tool: calls, errors, latency percentiles, repeated calls',
        tags: ['tools'],
        querystring: Filters,
        response: { 200: ToolStatsResponse },
      },
    },
    async (req) => {
      const freshness = app.freshness(); // before the query: what had settled by then is in it
      const where = operationsWhere(projectOf(req), rangeOf(req.query), req.query);
      const rows = await app.store.query<Record<string, string | number[]>>(
        `SELECT tool_name, count() AS calls, countIf(status = 'error') AS errors,
                quantilesTDigest(0.5, 0.95, 0.99)(duration_ms) AS q,
                countIf(has(failure_modes, 'repeated_tool_call')) AS repeated
           FROM operations FINAL WHERE ${where.sql} AND kind = 'tool'
          GROUP BY tool_name ORDER BY calls DESC, tool_name`,
        where.params,
        FINAL_SETTINGS,
      );
      return {
        freshness,
        tools: rows.map((r) => {
          const calls = Number(r.calls);
          const errors = Number(r.errors);
          const q = r.q as number[];
          return {
            tool: String(r.tool_name),
            calls,
            errors,
            error_rate: calls ? errors / calls : 0,
            p50_ms: round(q[0] ?? 0),
            p95_ms: round(q[1] ?? 0),
            p99_ms: round(q[2] ?? 0),
            repeated_calls: Number(r.repeated),
          };
        }),
      };
    },
  );

  app.get(
    '/api/v1/models/stats',
    {
      schema: {
        summary: 'Per model: calls, tokens by type, reported cost, errors, finish reasons',
        tags: ['models'],
        querystring: Filters,
        response: { 200: ModelStatsResponse },
      },
    },
    async (req) => {
      const freshness = app.freshness(); // before the query: what had settled by then is in it
      const where = operationsWhere(projectOf(req), rangeOf(req.query), req.query);
      const rows = await app.store.query<Record<string, string | Record<string, string>>>(
        `SELECT if(response_model != '', response_model, request_model) AS model, any(provider) AS provider, count() AS calls,
                sum(ifNull(input_tokens, 0)) AS input_tokens, sum(ifNull(output_tokens, 0)) AS output_tokens,
                sum(ifNull(cache_read_tokens, 0)) AS cache_read_tokens, sum(ifNull(cache_write_tokens, 0)) AS cache_write_tokens,
                sum(ifNull(reasoning_tokens, 0)) AS reasoning_tokens, sum(ifNull(cost_usd, 0)) AS cost_total, countIf(cost_usd IS NOT NULL) AS costed,
                countIf(status = 'error') AS errors,
                sumMap(map(if(finish_reason = '', 'unknown', finish_reason), toUInt64(1))) AS finish_reasons
           FROM operations FINAL WHERE ${where.sql} AND kind = 'llm'
          GROUP BY model ORDER BY calls DESC, model`,
        where.params,
        FINAL_SETTINGS,
      );
      return {
        freshness,
        models: rows.map((r) => ({
          model: String(r.model),
          provider: String(r.provider),
          calls: Number(r.calls),
          input_tokens: Number(r.input_tokens),
          output_tokens: Number(r.output_tokens),
          cache_read_tokens: Number(r.cache_read_tokens),
          cache_write_tokens: Number(r.cache_write_tokens),
          reasoning_tokens: Number(r.reasoning_tokens),
          // A cost nobody reported is unknown, not free.
          cost_usd: Number(r.costed) > 0 ? Number(r.cost_total) : null,
          errors: Number(r.errors),
          finish_reasons: Object.fromEntries(Object.entries(r.finish_reasons as Record<string, string>).map(([k, v]) => [k, Number(v)])),
        })),
      };
    },
  );
};
