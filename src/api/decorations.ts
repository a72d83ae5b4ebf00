// What the root fastify instance is decorated with, once, for every route group.
import type { Config } from '../config.js';
import type { Store } from '../store/clickhouse.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    store: Store;
  }
}
