// GET /metrics: the service's counters in Prometheus text format (admin scope when keys are on).
import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '../service-metrics.js';
import { requireScope } from './auth.js';

export async function metricsRoute(app: FastifyInstance, opts: { metrics: ServiceMetrics }): Promise<void> {
  app.get('/metrics', { schema: { hide: true }, preHandler: requireScope('admin') }, async (_req, reply) => {
    reply.type(opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
}
