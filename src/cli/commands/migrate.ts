import { loadConfig } from '../../config.js';
import { migrate } from '../../store/migrate.js';
import type { Command } from '../command.js';
import { callService, withStoreOrService } from '../remote.js';

export const migrateCommand: Command = {
  summary: 'Apply pending schema migrations (serve also applies them at start). Goes through a running service when it holds the data directory.',
  usage: 'tracemill migrate',
  async run(): Promise<number> {
    const config = loadConfig();
    return withStoreOrService(
      config,
      async (store) => {
        const result = await migrate(store, { retentionDays: config.retentionDays });
        console.log(result.applied.length ? `applied: ${result.applied.join(', ')}` : 'schema is up to date');
        console.log(`schema version ${result.current} on ${store.description}`);
        return 0;
      },
      async () => {
        const r = await callService<{ applied: string[]; current: number; store: string }>(config, 'POST', '/api/v1/admin/migrate');
        console.log(r.applied.length ? `applied: ${r.applied.join(', ')}` : 'schema is up to date');
        console.log(`schema version ${r.current} on ${r.store} (through the running service)`);
        return 0;
      },
    );
  },
};
