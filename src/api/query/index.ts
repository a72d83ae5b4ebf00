// The query API: JSON over HTTP on the OTLP port, parameters and responses described by zod (schemas.ts).
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { BadRequestError } from './errors.js';
import { compareRoutes } from './compare.js';
import { failureRoutes } from './failures.js';
import { reportRoutes } from './report.js';
import { traceRoutes } from './traces.js';
import { usageRoutes } from './usage.js';

export async function queryRoutes(app: FastifyInstance): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const message = err.validation
        .map((v) => {
          const param = v.instancePath.replace(/^\//, '').split('/')[0] || String(v.params?.issue && (v.params.issue as { path?: unknown[] }).path?.[0]) || err.validationContext;
          return `${param}: ${v.message}`;
        })
        .join('; ');
      return reply.code(400).send({ error: 'bad_request', message: `invalid ${err.validationContext ?? 'request'} parameter — ${message}` });
    }
    if (err instanceof BadRequestError) return reply.code(400).send({ error: 'bad_request', message: err.message });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: 'bad_request', message: err.message });
    req.log.error({ err }, 'query failed');
    return reply.code(503).header('retry-after', '2').send({ error: 'unavailable', message: `the store could not answer: ${err.message}` });
  });
  await app.register(failureRoutes);
  await app.register(compareRoutes);
  await app.register(usageRoutes);
  await app.register(traceRoutes);
  await app.register(reportRoutes);
}
