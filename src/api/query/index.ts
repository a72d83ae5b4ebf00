// The query API: JSON over HTTP on the OTLP port, parameters and responses described by zod (schemas.ts).
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { sendApiError } from '../errors.js';
import { compareRoutes } from './compare.js';
import { exportRoutes } from './export.js';
import { failureRoutes } from './failures.js';
import { reportRoutes } from './report.js';
import { traceRoutes } from './traces.js';
import { usageRoutes } from './usage.js';

export async function queryRoutes(app: FastifyInstance): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Client mistakes are 400s naming the parameter; a store failure is a 503 without the engine's words.
  app.setErrorHandler((err, _req, reply) => sendApiError(reply, err, app.config.retryAfterSeconds));
  await app.register(failureRoutes);
  await app.register(compareRoutes);
  await app.register(usageRoutes);
  await app.register(traceRoutes);
  await app.register(reportRoutes);
  await app.register(exportRoutes);
}
