// OpenAPI 3.1 generated from the routes' zod schemas: /openapi.json, and a docs UI at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { PACKAGE_VERSION } from '../paths.js';

/** Call on the root instance before any route is added, so every route group's schema is collected. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tracemill query API',
        version: PACKAGE_VERSION,
        description: 'Failure analytics and traces of AI agents, from OTLP data received on the same port.',
      },
      tags: [
        { name: 'failures', description: 'Failure modes found by the detectors (docs/failure-modes.md)' },
        { name: 'tools', description: 'Tool usage' },
        { name: 'models', description: 'LLM usage' },
        { name: 'traces', description: 'Agent runs and conversations' },
        { name: 'exports', description: 'Scheduled jobs: corpus, records and report runs (docs/jobs.md)' },
      ],
      // With TRACEMILL_API_KEYS set, every query needs a key with the read scope (docs/security.md).
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key: x-api-key: <key>' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
