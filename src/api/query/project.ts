// The project a read is scoped to: the API key's project, or the default project when keys are off.
// No query parameter can name another project.
import type { FastifyRequest } from 'fastify';

export function projectOf(req: FastifyRequest): string {
  const principal = (req as FastifyRequest & { principal?: { project: string } }).principal;
  return principal?.project ?? req.server.config.defaultProject;
}
