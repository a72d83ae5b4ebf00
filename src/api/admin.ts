// Admin routes the CLI uses while `serve` owns an embedded data directory (one process per directory).
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/clickhouse.js';
import { migrate } from '../store/migrate.js';
import type { Settler } from '../analysis/settle.js';
import { parseTimeExpr } from '../time.js';
import { projectOf } from './query/project.js';
import { requireScope } from './auth.js';

export async function adminRoutes(app: FastifyInstance, opts: { store: Store; retentionDays: number; normalizer: Settler }): Promise<void> {
  // Admin scope: implied by the path (src/api/auth.ts), and declared here too.
  app.addHook('preHandler', requireScope('admin'));

  app.post('/api/v1/admin/migrate', async () => {
    const result = await migrate(opts.store, { retentionDays: opts.retentionDays });
    return { applied: result.applied, current: result.current, store: opts.store.description };
  });

  // Rebuilds normalized records from stored raw data (after a rules or dialect change), for the key's project.
  app.post<{ Body: { since?: string; until?: string } }>('/api/v1/admin/renormalize', async (req, reply) => {
    const body = req.body ?? {};
    const since = parseTimeExpr(String(body.since ?? ''));
    const until = body.until === undefined ? undefined : parseTimeExpr(String(body.until));
    if (!since || (body.until !== undefined && !until)) {
      return reply.code(400).send({ error: 'bad_request', message: 'since (and until, if given) must be ISO-8601 times or durations ago such as 24h or 7d' });
    }
    const result = await opts.normalizer.renormalize({ since, until, project: projectOf(req) });
    return { ...result, since: since.toISOString(), until: (until ?? new Date()).toISOString() };
  });
}
