// Liveness and readiness.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/clickhouse.js';
import { pendingMigrations } from '../store/migrate.js';

export async function healthRoutes(app: FastifyInstance, opts: { store: Store }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    try {
      const reachable = await Promise.race([opts.store.ping(), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      if (!reachable) return reply.code(503).send({ status: 'unavailable', store: opts.store.description, reason: 'the store does not answer' });
      const pending = await pendingMigrations(opts.store);
      if (pending.length) return reply.code(503).send({ status: 'unavailable', reason: `migrations not applied: ${pending.join(', ')}` });
      return { status: 'ready', store: opts.store.description };
    } catch (e) {
      return reply.code(503).send({ status: 'unavailable', reason: (e as Error).message });
    }
  });
}
