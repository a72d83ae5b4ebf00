// Versioned SQL migrations from schemas/clickhouse/NNN_name.sql, recorded in tracemill_migrations.
// Statements are idempotent (IF NOT EXISTS), so a migration interrupted half-way is simply run again.
// In cluster mode (store.cluster) the same files are translated to ON CLUSTER SQL by src/store/cluster.ts.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import type { Store } from './clickhouse.js';
import { type ClusterOptions, LOCAL_SUFFIX, clusterStatements } from './cluster.js';

export const SCHEMA_DIR = join(PACKAGE_ROOT, 'schemas/clickhouse');

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/** Splits a SQL file into statements: `;` at the end of a line ends one; `--` comments are dropped. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('--') || trimmed === '') continue;
    cur.push(line);
    if (trimmed.endsWith(';')) {
      out.push(cur.join('\n').replace(/;\s*$/, ''));
      cur = [];
    }
  }
  if (cur.length) out.push(cur.join('\n'));
  return out;
}

export function loadMigrations(dir = SCHEMA_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.split('_')[0]),
      name: f.replace(/\.sql$/, ''),
      statements: splitStatements(readFileSync(join(dir, f), 'utf8')),
    }));
}

const MIGRATIONS = 'tracemill_migrations';
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS tracemill_migrations
(
    version UInt32,
    name String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY version`;

/** Tables with a time column that retention applies to: table -> TTL expression's time column. */
export const RETENTION_COLUMNS: Record<string, string> = {
  spans: 'start_time',
  logs: 'timestamp',
  metric_points: 'time',
  operations: 'start_time',
  trace_index: 'end_time',
  messages: 'last_seen',
};

/**
 * Extra days a table keeps past the retention. Spans go by whole days of their start time, and a history message
 * is written once and only refreshed hourly (rows/messages.ts): its last_seen can be up to a day older than the
 * newest span that refers to it.
 */
export const RETENTION_MARGIN_DAYS: Record<string, number> = { messages: 2 };

/** The retention of one table, in whole days. */
export function retentionDaysOf(table: string, days: number): number {
  return Math.floor(days) + (RETENTION_MARGIN_DAYS[table] ?? 0);
}

export interface MigrateResult {
  applied: string[];
  current: number;
}

/**
 * The statements each migration runs on this store: as written, or translated for the cluster (the
 * bookkeeping table first, then every migration in order: a later ALTER needs to know the earlier tables).
 */
export function migrationPlan(migrations: Migration[], cluster: ClusterOptions | undefined): { bookkeeping: string[]; migrations: Migration[] } {
  if (!cluster) return { bookkeeping: [MIGRATIONS_TABLE], migrations };
  const [bookkeeping, ...rest] = clusterStatements([[MIGRATIONS_TABLE], ...migrations.map((m) => m.statements)], cluster);
  return { bookkeeping, migrations: migrations.map((m, i) => ({ ...m, statements: rest[i] })) };
}

async function tableExists(store: Store, name: string): Promise<boolean> {
  const rows = await store.query<{ n: string }>('SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = {name:String}', { name });
  return Number(rows[0]?.n ?? 0) > 0;
}

/** Versions recorded as applied (none before the bookkeeping table exists: readiness creates nothing). */
export async function appliedVersions(store: Store): Promise<Set<number>> {
  if (!(await tableExists(store, MIGRATIONS))) return new Set();
  const rows = await store.query<{ version: number }>('SELECT DISTINCT version FROM tracemill_migrations');
  return new Set(rows.map((r) => Number(r.version)));
}

/** Runs DDL; the embedded engine cannot run ON CLUSTER DDL, so cluster mode there is refused by name. */
async function ddl(store: Store, statements: string[]): Promise<void> {
  if (store.cluster && store.mode === 'embedded' && statements.length) {
    throw new Error('TRACEMILL_CLICKHOUSE_CLUSTER needs a ClickHouse server (CLICKHOUSE_URL): the embedded engine cannot run ON CLUSTER DDL');
  }
  for (const stmt of statements) await store.command(stmt);
}

export async function migrate(store: Store, opts: { retentionDays?: number; dir?: string } = {}): Promise<MigrateResult> {
  const loaded = loadMigrations(opts.dir);
  const plan = migrationPlan(loaded, store.cluster);
  if (!(await tableExists(store, MIGRATIONS))) await ddl(store, plan.bookkeeping);
  const done = await appliedVersions(store);
  const applied: string[] = [];
  const migrations = plan.migrations;
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    for (const stmt of m.statements) {
      try {
        await ddl(store, [stmt]);
      } catch (e) {
        throw new Error(`migration ${m.name} failed on statement:\n${stmt.slice(0, 300)}\n${(e as Error).message}`, { cause: e });
      }
    }
    await store.command('INSERT INTO tracemill_migrations (version, name) VALUES ({v:UInt32}, {n:String})', { v: m.version, n: m.name });
    applied.push(m.name);
  }
  await applyRetention(store, opts.retentionDays ?? 0);
  return { applied, current: migrations.length ? migrations[migrations.length - 1].version : 0 };
}

/** Pending migrations, for readiness: the service is ready only when none are pending. */
export async function pendingMigrations(store: Store, dir?: string): Promise<string[]> {
  const done = await appliedVersions(store);
  return loadMigrations(dir)
    .filter((m) => !done.has(m.version))
    .map((m) => m.name);
}

async function applyRetention(store: Store, days: number): Promise<void> {
  if (store.cluster) return applyClusterRetention(store, store.cluster, days);
  for (const [table, column] of Object.entries(RETENTION_COLUMNS)) {
    if (days > 0) {
      await store.command(`ALTER TABLE ${table} MODIFY TTL toDateTime(${column}) + INTERVAL ${retentionDaysOf(table, days)} DAY`);
    } else {
      // REMOVE TTL fails on a table that never had one; that is the state we want anyway.
      await store.command(`ALTER TABLE ${table} REMOVE TTL`).catch(() => undefined);
    }
  }
}

/**
 * Cluster mode: the TTL goes on the local tables, ON CLUSTER, and only when it changes: ON CLUSTER DDL waits
 * for every host, which no replica's start should do for nothing.
 */
async function applyClusterRetention(store: Store, cluster: ClusterOptions, days: number): Promise<void> {
  const rows = await store.query<{ name: string; create_table_query: string }>(
    'SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}',
    { names: Object.keys(RETENTION_COLUMNS).map((t) => t + LOCAL_SUFFIX) },
  );
  const ttlOf = new Map(rows.map((r) => [r.name, /\bTTL\b(.*?)(\bSETTINGS\b|$)/s.exec(r.create_table_query)?.[1]?.trim() ?? '']));
  const alters: string[] = [];
  for (const [table, column] of Object.entries(RETENTION_COLUMNS)) {
    const ttl = ttlOf.get(table + LOCAL_SUFFIX) ?? '';
    if (days > 0 && !(ttl.includes(column) && ttl.includes(`toIntervalDay(${retentionDaysOf(table, days)})`))) {
      alters.push(`ALTER TABLE ${table} MODIFY TTL toDateTime(${column}) + INTERVAL ${retentionDaysOf(table, days)} DAY`);
    } else if (days <= 0 && ttl) {
      alters.push(`ALTER TABLE ${table} REMOVE TTL`);
    }
  }
  await ddl(store, clusterStatements([alters], cluster)[0]);
}
