// Admin routes the CLI uses while `serve` owns an embedded data directory (one process per directory).
import type { FastifyInstance } from 'fastify';
import { type ZodTypeProvider, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Store } from '../store/clickhouse.js';
import { migrate } from '../store/migrate.js';
import type { Settler } from '../settle/settler.js';
import { TimeParam } from '../time.js';
import { projectOf } from './query/project.js';
import { badRequest } from './query/errors.js';
import { requireScope } from './auth.js';
import { sendApiError } from './errors.js';

export const MigrateBody = z.strictObject({}).nullish().meta({ description: 'No fields: migrations are the SQL files the service was built with.' });

export const RenormalizeBody = z.strictObject({
  since: TimeParam.meta({ description: 'Rebuild groups with data from this time on: ISO-8601 or a duration ago (24h, 7d).' }),
  until: TimeParam.optional().meta({ description: 'And before this time (default: no end).' }),
});

export async function adminRoutes(app: FastifyInstance, opts: { store: Store; retentionDays: number; normalizer: Settler }): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, _req, reply) => sendApiError(reply, err, app.config.retryAfterSeconds));
  // Admin scope: implied by the path (src/api/auth.ts), and declared here too.
  app.addHook('preHandler', requireScope('admin'));

  api.post(
    '/api/v1/admin/migrate',
    { schema: { summary: 'Apply pending migrations', tags: ['admin'], body: MigrateBody } },
    async () => {
      const result = await migrate(opts.store, { retentionDays: opts.retentionDays });
      return { applied: result.applied, current: result.current, store: opts.store.description };
    },
  );

  // Rebuilds normalized records from stored raw data (after a rules or dialect change), for the key's project.
  api.post(
    '/api/v1/admin/renormalize',
    { schema: { summary: 'Rebuild normalized records and failures from stored raw data', tags: ['admin'], body: RenormalizeBody } },
    async (req) => {
      const { since, until } = req.body;
      if (until && since >= until) throw badRequest('since', `${since.toISOString()} is not before until (${until.toISOString()})`);
      const result = await opts.normalizer.renormalize({ since, until, project: projectOf(req) });
      return { ...result, since: since.toISOString(), until: (until ?? new Date()).toISOString() };
    },
  );
}
