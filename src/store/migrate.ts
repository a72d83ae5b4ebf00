// Versioned SQL migrations from schemas/clickhouse/NNN_name.sql, recorded in tracemill_migrations.
// Statements are idempotent (IF NOT EXISTS), so a migration interrupted half-way is simply run again.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import type { Store } from './clickhouse.js';

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
};

export interface MigrateResult {
  applied: string[];
  current: number;
}

export async function appliedVersions(store: Store): Promise<Set<number>> {
  await store.command(MIGRATIONS_TABLE);
  const rows = await store.query<{ version: number }>('SELECT DISTINCT version FROM tracemill_migrations');
  return new Set(rows.map((r) => Number(r.version)));
}

export async function migrate(store: Store, opts: { retentionDays?: number; dir?: string } = {}): Promise<MigrateResult> {
  const done = await appliedVersions(store);
  const applied: string[] = [];
  const migrations = loadMigrations(opts.dir);
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    for (const stmt of m.statements) {
      try {
        await store.command(stmt);
      } catch (e) {
        throw new Error(`migration ${m.name} failed on statement:\n${stmt.slice(0, 300)}\n${(e as Error).message}`);
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
  for (const [table, column] of Object.entries(RETENTION_COLUMNS)) {
    if (days > 0) {
      await store.command(`ALTER TABLE ${table} MODIFY TTL toDateTime(${column}) + INTERVAL ${Math.floor(days)} DAY`);
    } else {
      // REMOVE TTL fails on a table that never had one; that is the state we want anyway.
      await store.command(`ALTER TABLE ${table} REMOVE TTL`).catch(() => undefined);
    }
  }
}
