import { loadConfig } from '../config.js';
import { DataDirLockedError, openStore } from '../store/clickhouse.js';
import { migrate } from '../store/migrate.js';
import type { Command } from './main.js';

export const migrateCommand: Command = {
  summary: 'Apply pending schema migrations (also done at every start of serve).',
  usage: 'tracemill migrate',
  async run(): Promise<number> {
    const config = loadConfig();
    let store;
    try {
      store = openStore(config);
    } catch (e) {
      if (e instanceof DataDirLockedError) {
        // The running service applied every migration it ships with when it started.
        console.error(`tracemill: ${e.message}.\nA running tracemill serve applies migrations itself at start-up; check GET /readyz on it, or stop it and run migrate again.`);
        return 1;
      }
      throw e;
    }
    try {
      const result = await migrate(store, { retentionDays: config.retentionDays });
      console.log(result.applied.length ? `applied: ${result.applied.join(', ')}` : 'schema is up to date');
      console.log(`schema version ${result.current} on ${store.description}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
