// GET /api/v1/report: the failure report (src/exporters/reports) as JSON, Markdown or one HTML file.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REPORT_FORMATS, REPORT_RENDERERS, ReportSchema, generateReport } from '../../exporters/reports/index.js';
import { badRequest } from './errors.js';
import { rangeOf } from './filters.js';
import { projectOf } from './project.js';
import { Filters } from './schemas.js';

export const ReportQuery = Filters.omit({ mode: true }).extend({
  format: z.enum(REPORT_FORMATS).default('json').meta({ description: 'json (the schema below), md (GitHub Markdown) or html (one self-contained file)' }),
  examples: z.string().regex(/^\d{1,2}$/, 'must be a whole number in decimal digits').transform(Number).pipe(z.number().int().min(0).max(20)).default(3).meta({ description: 'Example failures shown per mode (0-20)' }),
});

/** The API's own address as the caller reached it, for trace links in the report. */
function baseUrlOf(req: { protocol: string; host: string }): string {
  return `${req.protocol}://${req.host}`;
}

export const reportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/report',
    {
      schema: {
        summary: 'Failure-mode report for a period, compared with the period before',
        description:
          'Totals, failure rate over time, failures by mode, tool, model, agent and harness with significance marks, and examples with links to the traces. format=md answers text/markdown, format=html one self-contained text/html file; format=json this schema. Default period: the last 24h.',
        tags: ['failures'],
        querystring: ReportQuery,
        response: { 200: ReportSchema },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const range = rangeOf(q);
      if (range.from >= range.to) throw badRequest('from', 'must be before to');
      const report = await generateReport(app.store, {
        project: projectOf(req),
        range,
        filters: { service: q.service, agent: q.agent, model: q.model, tool: q.tool },
        baseUrl: baseUrlOf(req),
        examplesPerMode: q.examples,
        harnessAttributes: app.config.harnessAttributes,
      });
      if (q.format === 'json') return report;
      const r = REPORT_RENDERERS[q.format];
      // A string with a text content type is sent as is (the JSON schema serializer is for format=json).
      return reply.type(r.contentType).send(r.render(report) as never);
    },
  );
};
