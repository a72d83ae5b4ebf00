// A migrated embedded store in a temp dir, for tests that drive the store layer without a service.
// chdb binds one data directory per process, so a test file opens one and shares it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { type Store, openStore } from '../../src/store/clickhouse.js';
import { migrate } from '../../src/store/migrate.js';

/** Opens and migrates the store; closes it and removes its directory when `t` ends. */
export async function scratchStore(t: Test, prefix: string): Promise<Store> {
  const dataDir = mkdtempSync(join(tmpdir(), `tracemill-${prefix}-`));
  const store = openStore({ dataDir, clickhouseUrl: undefined, clickhouseUser: 'default', clickhousePassword: '', clickhouseDatabase: 'default' });
  t.teardown(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await migrate(store);
  return store;
}
