// The project a read is scoped to: the API key's project (the default project when keys are off).
// No query parameter can name another project.
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../auth.js';

export function projectOf(req: FastifyRequest): string {
  return principalOf(req).project;
}
