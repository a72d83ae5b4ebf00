// TRACEMILL_RETENTION_DAYS becomes a TTL on every table holding agent data, and 0 removes it again.
import t from 'tap';
import { RETENTION_COLUMNS, migrate, retentionDaysOf } from '../../src/store/migrate.js';
import { startTestService } from '../helpers/service.js';

const svc = await startTestService({ retentionDays: 30 });
t.teardown(() => svc.stop());

async function ttls(): Promise<Map<string, string>> {
  const rows = await svc.rows<{ name: string; create_table_query: string }>(
    `SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}`,
    { names: Object.keys(RETENTION_COLUMNS) },
  );
  return new Map(rows.map((r) => [r.name, /\bTTL\b(.*?)(SETTINGS|$)/s.exec(r.create_table_query)?.[1]?.trim() ?? '']));
}

t.test('every data table gets the TTL', async (t) => {
  const m = await ttls();
  t.same([...m.keys()].sort(), Object.keys(RETENTION_COLUMNS).sort());
  for (const [table, column] of Object.entries(RETENTION_COLUMNS)) t.match(m.get(table), new RegExp(`${column}.*toIntervalDay\\(${retentionDaysOf(table, 30)}\\)`), table);
  // History messages outlive the spans that refer to them (written once, refreshed hourly).
  t.match(m.get('messages'), /toIntervalDay\(32\)/);
  t.match(m.get('spans'), /toIntervalDay\(30\)/);
});

t.test('0 removes it', async (t) => {
  await migrate(svc.store, { retentionDays: 0 });
  for (const [table, ttl] of await ttls()) t.equal(ttl, '', table);
});
