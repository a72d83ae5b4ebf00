// What the root fastify instance is decorated with, once, for every route group.
import type { Config } from '../config.js';
import type { Store } from '../store/clickhouse.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    store: Store;
    /** How fresh the normalized figures are (the settle loop's watermark), for statistics responses. */
    freshness(): { settled_through: string; pending_groups: number };
  }
}
