// Admin routes the CLI uses while `serve` owns an embedded data directory (one process per directory).
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/clickhouse.js';
import { migrate } from '../store/migrate.js';

export async function adminRoutes(app: FastifyInstance, opts: { store: Store; retentionDays: number }): Promise<void> {
  app.post('/api/v1/admin/migrate', async () => {
    const result = await migrate(opts.store, { retentionDays: opts.retentionDays });
    return { applied: result.applied, current: result.current, store: opts.store.description };
  });
}
