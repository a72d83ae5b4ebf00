// The dashboard's built files (dist/ui, made by `npm run build`) at /ui/. They hold no data, so they are
// served without a key; the pages read everything through the query API with the key the user gives them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_ROOT } from '../paths.js';

export const UI_DIR = join(PACKAGE_ROOT, 'dist/ui');

export async function uiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/ui', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui/', 302));
  if (!existsSync(join(UI_DIR, 'index.html'))) {
    app.get('/ui/*', { schema: { hide: true } }, async (_req, reply) =>
      reply.code(404).type('text/plain').send('The dashboard is not built in this installation: run `npm run build` (npm start does it), then reload.'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: UI_DIR, prefix: '/ui/', index: 'index.html', wildcard: true, schemaHide: true, cacheControl: false });
}
