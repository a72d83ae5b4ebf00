// GET /api/v1/alerts and GET /api/v1/alerts/{id}: regression alerts of the caller's project (read scope).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Alert, Delivery } from '../../alerts/model.js';
import { FAILURE_MODES } from '../../model/failure.js';
import { deliveriesOf, getAlert, listAlerts } from '../../store/read/alerts.js';
import { TimeParam } from '../../time.js';
import { projectOf } from './project.js';
import { ErrorResponse, Limit } from './schemas.js';

const DAY = 86_400_000;

export const AlertsQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional().meta({ description: 'Only open or only resolved alerts. Default: both' }),
  mode: z.enum(FAILURE_MODES).optional(),
  tool: z.string().max(256).optional(),
  model: z.string().max(256).optional(),
  harness: z.string().max(512).optional(),
  since: TimeParam.optional().meta({ description: 'Resolved alerts changed since then (open ones always). Default: 7d' }),
  limit: Limit(500, 100),
});

export const AlertParams = z.strictObject({ id: z.string().regex(/^[0-9a-f]{20}$/, 'an alert id is 20 lowercase hex characters') });

export const alertRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/alerts',
    {
      schema: {
        summary: 'Regression alerts: open ones and recently resolved ones',
        description: 'Opened by the regression detector (docs/regressions.md) with their evidence. Open alerts first, newest first.',
        tags: ['alerts'],
        querystring: AlertsQuery,
        response: { 200: z.object({ alerts: z.array(Alert) }) },
      },
    },
    async (req) => {
      const q = req.query;
      const alerts = await listAlerts(app.store, projectOf(req), { ...q, since: q.since ?? new Date(Date.now() - 7 * DAY) });
      return { alerts };
    },
  );

  app.get(
    '/api/v1/alerts/:id',
    {
      schema: {
        summary: 'One alert with its evidence and its notification deliveries',
        tags: ['alerts'],
        params: AlertParams,
        response: { 200: Alert.extend({ deliveries: z.array(Delivery) }), 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      const project = projectOf(req);
      const alert = await getAlert(app.store, project, req.params.id);
      if (!alert) return reply.code(404).send({ error: 'not_found', message: `no alert ${req.params.id} in this project` });
      return { ...alert, deliveries: await deliveriesOf(app.store, project, alert.id) };
    },
  );
};
